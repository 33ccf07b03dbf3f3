package dev.spikevae.backend.cpu;

/**
 * The B operand of a GEMM given by what it holds rather than as a stored matrix: a convolution's column
 * matrix read straight from its input tensor, for instance. The kernels copy blocks of it into their packing
 * buffers, so a source is read once per packing and never has to exist in full.
 */
@FunctionalInterface
interface GemmSource {
    /**
     * Writes {@code op(B)[p0 + r][j0 + c]} to {@code dst[off + r*ld + c]} for {@code r < rows}, {@code c < cols}.
     * The values must depend on (row, column) only, so that a GEMM reads the same matrix whatever blocks
     * it asks for.
     */
    void block(int p0, int rows, int j0, int cols, float[] dst, int off, int ld);

    /** A stored row-major matrix B (or its transpose), as a source. */
    static GemmSource matrix(boolean transB, float[] b, int offB, int ldb) {
        if (!transB) {
            return (p0, rows, j0, cols, dst, off, ld) -> {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(b, offB + (p0 + r) * ldb + j0, dst, off + r * ld, cols);
                }
            };
        }
        return (p0, rows, j0, cols, dst, off, ld) -> {
            for (int c = 0; c < cols; c++) {
                int s = offB + (j0 + c) * ldb + p0;
                for (int r = 0; r < rows; r++) {
                    dst[off + r * ld + c] = b[s + r];
                }
            }
        };
    }

    /** This source with its columns shifted: column j of the result is column {@code j0 + j} of this one. */
    default GemmSource columnsFrom(int first) {
        if (first == 0) {
            return this;
        }
        GemmSource self = this;
        return (p0, rows, j0, cols, dst, off, ld) -> self.block(p0, rows, first + j0, cols, dst, off, ld);
    }
}
