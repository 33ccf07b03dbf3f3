package dev.spikevae.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Isolates the one Vector API reference VectorSupport needs, so that class loads without the module; and the kernels'
 * sums of lanes, in a fixed order.
 *
 * <p>{@code reduceLanes(ADD)} leaves the order of its float additions to the implementation, and it is not the same
 * in every release: OpenJDK 17 adds the lanes from lane 0 up, Java 25 in a tree, so a sum formed that way would give
 * other bits on another JVM (and change a training run from its first batch-norm statistics on). The kernels add
 * lanes with {@link #sumInOrder} instead: lane 0 up, one float addition at a time, the order 17 used.
 */
final class VectorLanes {
    private VectorLanes() {
    }

    static int floats() {
        return FloatVector.SPECIES_PREFERRED.length();
    }

    /** {@code v}'s lanes added from lane 0 up, in float. */
    static float sumInOrder(FloatVector v) {
        float s = v.lane(0);
        for (int l = 1; l < v.length(); l++) {
            s += v.lane(l);
        }
        return s;
    }

    /** {@code a[off .. off + n)} added from the first up, in float: a vector's lanes stored in an array. */
    static float sumInOrder(float[] a, int off, int n) {
        float s = a[off];
        for (int l = 1; l < n; l++) {
            s += a[off + l];
        }
        return s;
    }
}
