package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;

/**
 * Receives, when installed with {@link CpuBackend#setSpikeDensityProbe}, the exact count of non-zero elements of
 * the spike-side operand of every convolution call (off by default; {@code bench --densities} installs one).
 */
@FunctionalInterface
public interface SpikeDensityProbe {

    /**
     * @param pass     {@code forward}, {@code backwardData} or {@code backwardWeight}
     * @param operand  {@code x} (forward, weight gradient) or {@code dy} (backward data, weight gradient)
     * @param type     the operand's storage type
     * @param nonZero  its non-zero elements
     * @param total    its elements
     */
    void record(String pass, ConvGeometry g, String operand, DType type, long nonZero, long total);

    /**
     * A GEMM {@code C[m, n] = A[m, k] B[n, k]^T} (a linear layer's forward, {@code x w^T}): A's storage type (u8: the
     * layer's input spikes) and non-zero elements. Ignored unless overridden.
     */
    default void linear(int m, int n, int k, DType type, long nonZero, long total) {
    }
}
