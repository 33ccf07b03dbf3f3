package dev.spikevae.io;

import java.util.Arrays;

/** An n-dimensional array of doubles on the host, C order: what {@link Npy#readDoubles} returns. */
public record HostDoubles(long[] shape, double[] data) {

    public HostDoubles {
        shape = shape.clone();
        if (HostArray.numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length
                    + " values");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostDoubles h && Arrays.equals(shape, h.shape) && Arrays.equals(data, h.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostDoubles" + Arrays.toString(shape);
    }
}
