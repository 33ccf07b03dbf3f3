package dev.spikevae.backend.cpu;

/** A float array grown to the largest length asked for, then reused: a thread's scratch across calls. */
final class ScratchFloats {
    private float[] data = new float[0];

    /** An array of at least {@code n} floats (its contents are whatever the last user left). */
    float[] get(int n) {
        if (data.length < n) {
            data = new float[n];
        }
        return data;
    }
}
