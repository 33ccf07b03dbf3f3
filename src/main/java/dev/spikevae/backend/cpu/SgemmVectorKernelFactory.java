package dev.spikevae.backend.cpu;

/**
 * Creates the Vector API kernel behind a method boundary, so that {@link Sgemm} never names
 * {@link SgemmVectorKernel} in its own code and loads without {@code jdk.incubator.vector}.
 */
final class SgemmVectorKernelFactory {
    private SgemmVectorKernelFactory() {
    }

    static SgemmKernel create() {
        return new SgemmVectorKernel();
    }

    /** The kernel with a register block of {@code rows} rows (4, 6 or 8; 0 for the machine's choice). */
    static SgemmKernel create(int rows) {
        return rows == 0 ? new SgemmVectorKernel() : new SgemmVectorKernel(rows);
    }
}
