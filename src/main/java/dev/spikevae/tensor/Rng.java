package dev.spikevae.tensor;

/**
 * The state of one random stream: a seed and the next unused Philox block counter. Each draw reserves
 * the blocks it needs (see {@link Philox} for the layout) and advances the counter, so a stream is fully
 * described by {@code (seed, counter)} — the two numbers a checkpoint stores to resume bit for bit.
 * Not thread-safe: one stream per consumer.
 */
public final class Rng {
    private final long seed;
    private long counter;

    public Rng(long seed) {
        this(seed, 0);
    }

    public Rng(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    public long seed() {
        return seed;
    }

    public long counter() {
        return counter;
    }

    /** Reserves the blocks of a uniform draw of {@code n} values; returns its start counter. */
    public long reserveUniform(long n) {
        long c = counter;
        counter += Philox.uniformBlocks(n);
        return c;
    }

    /** Reserves the blocks of a normal draw of {@code n} values; returns its start counter. */
    public long reserveNormal(long n) {
        long c = counter;
        counter += Philox.normalBlocks(n);
        return c;
    }

    /** A new independent stream derived from this one (for a sub-component), advancing this one. */
    public Rng fork() {
        int[] w = new int[4];
        Philox.block(seed, counter++, w);
        return new Rng(((long) w[0] << 32) | (w[1] & 0xFFFFFFFFL));
    }

    /** Uniform values in [0, 1) on the host (for initialisation and data shuffling). */
    public float[] uniformHost(int n) {
        float[] out = new float[n];
        Philox.fillUniform(seed, reserveUniform(n), 0, n, out, 0);
        return out;
    }

    /** Standard normal values on the host. */
    public float[] normalHost(int n) {
        float[] out = new float[n];
        Philox.fillNormal(seed, reserveNormal(n), 0, n, out, 0);
        return out;
    }

    @Override
    public String toString() {
        return "Rng(seed=" + seed + ", counter=" + counter + ")";
    }
}
