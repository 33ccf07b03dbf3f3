package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.Shape;

/**
 * Index arithmetic for the broadcast, permute and reduce kernels: an output shape with per-operand
 * strides over its axes, with size-1 axes dropped and adjacent axes merged wherever every operand is
 * contiguous across them, so the kernels decode as few axes as possible (at most {@link #MAX_RANK}).
 */
public final class AxisMerge {
    /** The kernels' Dims struct holds this many axes. */
    public static final int MAX_RANK = 8;

    /** Merged axis sizes. */
    public final int[] dims;
    /** strides[k][axis] of operand k. */
    public final int[][] strides;

    private AxisMerge(int[] dims, int[][] strides) {
        this.dims = dims;
        this.strides = strides;
    }

    public int rank() {
        return dims.length;
    }

    /** Strides of a row-major tensor of shape {@code s} broadcast (aligned right) to {@code out}. */
    public static int[] broadcastStrides(Shape s, Shape out) {
        int r = out.rank();
        int[] st = new int[r];
        int[] own = s.strides();
        int off = r - s.rank();
        for (int i = 0; i < s.rank(); i++) {
            st[i + off] = s.dim(i) == 1 ? 0 : own[i];
        }
        return st;
    }

    /** Merges the axes of {@code dims} (one stride array per operand over them). */
    public static AxisMerge of(int[] dims, int[]... operandStrides) {
        int r = dims.length;
        int[] d = new int[r];
        int[][] st = new int[operandStrides.length][r];
        int n = 0;
        for (int i = 0; i < r; i++) {
            int size = dims[i];
            if (size == 1) {
                continue;
            }
            boolean mergeable = n > 0;
            for (int k = 0; k < operandStrides.length && mergeable; k++) {
                mergeable = (long) operandStrides[k][i] * size == st[k][n - 1];
            }
            if (mergeable) {
                d[n - 1] *= size;
                for (int k = 0; k < operandStrides.length; k++) {
                    st[k][n - 1] = operandStrides[k][i];
                }
                continue;
            }
            d[n] = size;
            for (int k = 0; k < operandStrides.length; k++) {
                st[k][n] = operandStrides[k][i];
            }
            n++;
        }
        if (n > MAX_RANK) {
            throw new IllegalArgumentException("cuda: " + n + " axes remain after merging " + java.util.Arrays.toString(dims)
                    + "; the kernels decode at most " + MAX_RANK);
        }
        int[][] outStrides = new int[operandStrides.length][];
        for (int k = 0; k < operandStrides.length; k++) {
            outStrides[k] = java.util.Arrays.copyOf(st[k], n);
        }
        return new AxisMerge(java.util.Arrays.copyOf(d, n), outStrides);
    }
}
