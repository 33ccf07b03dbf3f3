package dev.spikevae.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SpikeKernel} on the Vector API: fused multiply-adds, lane by lane the arithmetic of
 * {@link SgemmVectorKernel}'s micro-kernel ({@link Math#fma} on the tail, which rounds the same way), and
 * its reduction block {@code kc}.
 */
final class SpikeVectorKernel implements SpikeKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    static SpikeKernel create() {
        return new SpikeVectorKernel();
    }

    @Override
    public void axpy(int n, float v, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        if (n >= LANES) {
            FloatVector vs = FloatVector.broadcast(SPECIES, v);
            for (int end = n - LANES; i <= end; i += LANES) {
                FloatVector.fromArray(SPECIES, x, xOff + i).fma(vs, FloatVector.fromArray(SPECIES, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], v, y[yOff + i]);
        }
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (int end = n - LANES; i <= end; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).add(FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    @Override
    public int reductionBlock() {
        return SgemmVectorKernel.KC;
    }
}
