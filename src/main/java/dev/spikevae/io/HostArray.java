package dev.spikevae.io;

import java.util.Arrays;

/**
 * A host array: a row-major shape and its float32 data ({@code shape} product == {@code data.length}; a scalar
 * has {@code shape = {}} and one value).
 *
 * <p>The shape is copied; the data is not, because checkpoints and reference statistics can be hundreds of
 * megabytes. Equality compares shape and data element by element (NaN equals NaN, as {@link Arrays#equals}).
 */
public record HostArray(long[] shape, float[] data) {

    public HostArray {
        if (shape == null) {
            throw new IllegalArgumentException("HostArray shape is null");
        }
        if (data == null) {
            throw new IllegalArgumentException("HostArray data is null");
        }
        shape = shape.clone();
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("HostArray shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but data has " + data.length);
        }
    }

    /** A host array of {@code data} with the given dimensions. */
    public static HostArray of(float[] data, long... shape) {
        return new HostArray(shape, data);
    }

    /** A rank-0 array holding one value. */
    public static HostArray scalar(float value) {
        return new HostArray(new long[0], new float[] {value});
    }

    /**
     * The number of elements of {@code shape}, checked: every dimension non-negative and the product within a
     * Java array.
     */
    public static long numel(long[] shape) {
        boolean empty = false;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            empty |= d == 0;
        }
        if (empty) {
            return 0;
        }
        long n = 1;
        for (long d : shape) {
            if (n > Integer.MAX_VALUE / d) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more elements than a Java array holds");
            }
            n *= d;
        }
        return n;
    }

    /** A copy of the shape, so that the array stays immutable (the data is shared, see the class comment). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as ints, the form {@code dev.spikevae.tensor.Shape.of} takes. */
    public int[] intShape() {
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        return dims;
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostArray other && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostArray" + Arrays.toString(shape);
    }
}
