package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Shape;

/**
 * Broadcast/permuted index arithmetic for up to three operands over one output shape: per-operand
 * element strides in the output's index space (0 along broadcast axes), with adjacent axes merged where
 * every operand is contiguous across them, so the innermost loop is as long as possible.
 */
final class StridedIndex {
    final int[] dims;
    final int[][] strides;
    final int rows;
    final int inner;

    private StridedIndex(int[] dims, int[][] strides) {
        this.dims = dims;
        this.strides = strides;
        this.inner = dims.length == 0 ? 1 : dims[dims.length - 1];
        int r = 1;
        for (int i = 0; i < dims.length - 1; i++) {
            r *= dims[i];
        }
        this.rows = r;
    }

    /** Strides of a row-major tensor of shape {@code s} broadcast to {@code out} (aligned right). */
    static int[] broadcastStrides(Shape s, Shape out) {
        int r = out.rank();
        int[] st = new int[r];
        int[] own = s.strides();
        int off = r - s.rank();
        for (int i = 0; i < s.rank(); i++) {
            st[i + off] = s.dim(i) == 1 ? 0 : own[i];
        }
        return st;
    }

    /** Merges axes and drops size-1 axes; {@code strides[k]} are per-operand strides over {@code out}'s axes. */
    static StridedIndex of(Shape out, int[]... operandStrides) {
        int r = out.rank();
        int[] d = new int[Math.max(r, 1)];
        int[][] st = new int[operandStrides.length][Math.max(r, 1)];
        int n = 0;
        for (int i = 0; i < r; i++) {
            int size = out.dim(i);
            if (size == 1) {
                continue;
            }
            if (n > 0) {
                boolean mergeable = true;
                for (int k = 0; k < operandStrides.length && mergeable; k++) {
                    mergeable = operandStrides[k][i] * size == st[k][n - 1];
                }
                if (mergeable) {
                    d[n - 1] *= size;
                    for (int k = 0; k < operandStrides.length; k++) {
                        st[k][n - 1] = operandStrides[k][i];
                    }
                    continue;
                }
            }
            d[n] = size;
            for (int k = 0; k < operandStrides.length; k++) {
                st[k][n] = operandStrides[k][i];
            }
            n++;
        }
        if (n == 0) {
            d[0] = 1;
            n = 1;
        }
        int[] dims = java.util.Arrays.copyOf(d, n);
        int[][] strides = new int[operandStrides.length][];
        for (int k = 0; k < operandStrides.length; k++) {
            strides[k] = java.util.Arrays.copyOf(st[k], n);
        }
        return new StridedIndex(dims, strides);
    }

    /** Offset of operand {@code k} at the start of row {@code row} (rows = all axes but the last). */
    int rowOffset(int k, int row) {
        int off = 0;
        int[] s = strides[k];
        for (int i = dims.length - 2; i >= 0; i--) {
            int idx = row % dims[i];
            row /= dims[i];
            off += idx * s[i];
        }
        return off;
    }

    int innerStride(int k) {
        return strides[k][dims.length - 1];
    }
}
