package dev.spikevae.tensor;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the counter-based
 * generator behind every random draw in spikevae. Being counter-based, the value at any position of a
 * stream is a pure function of (seed, position), so any backend, any thread count and any order of
 * evaluation produce the same numbers bit for bit.
 *
 * <h2>Stream layout (normative for every backend)</h2>
 * <ul>
 *   <li>key = (lo32(seed), hi32(seed)); a block counter {@code b} (a 64-bit number) is the Philox counter
 *       (lo32(b), hi32(b), 0, 0); one block yields four 32-bit words w0..w3.</li>
 *   <li><b>Uniform</b> draw of n values at counter c: value i comes from word {@code i % 4} of block
 *       {@code c + i / 4}, as {@code (w >>> 8) * 2^-24}, a float in [0, 1) that is exact. The draw uses
 *       {@code ceil(n / 4)} blocks.</li>
 *   <li><b>Normal</b> draw of n values at counter c: values 2j and 2j+1 come from block {@code c + j}:
 *       {@code u1 = ((w0 >>> 8) + 1) * 2^-24} in (0, 1], {@code u2 = (w1 >>> 8) * 2^-24},
 *       {@code r = sqrt(-2 ln u1)}, value 2j = {@code r cos(2 pi u2)}, value 2j+1 = {@code r sin(2 pi u2)},
 *       computed in double precision and rounded to float. The draw uses {@code ceil(n / 2)} blocks.
 *       (Uniforms are bitwise identical across backends; normals agree to the last bit or two, since
 *       {@code log}, {@code cos} and {@code sin} may round differently.)</li>
 *   <li>Spike sampling and the one-of-k pick read the uniform stream: element i of the output
 *       (row-major) uses uniform i of the draw.</li>
 * </ul>
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    /** 2^-24: one unit in the last place of a float in [0.5, 1). */
    public static final float TWO_POW_MINUS_24 = 0x1p-24f;

    private Philox() {
    }

    /** Ten rounds of Philox4x32 on counter {@code (c0, c1, c2, c3)} and key {@code (k0, k1)}; writes 4 words. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The four words of block {@code counter} of stream {@code seed}. */
    public static void block(long seed, long counter, int[] out) {
        block((int) counter, (int) (counter >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out);
    }

    /** A 32-bit word as a uniform float in [0, 1). */
    public static float toUniform(int word) {
        return (word >>> 8) * TWO_POW_MINUS_24;
    }

    /** Uniform value {@code i} of the draw at {@code counter} (slow path, for tests and tails). */
    public static float uniformAt(long seed, long counter, long i) {
        int[] w = new int[4];
        block(seed, counter + (i >>> 2), w);
        return toUniform(w[(int) (i & 3)]);
    }

    /**
     * Fills {@code out[outOffset + j]} for stream positions {@code [from, to)} of the uniform draw at
     * {@code counter}: position i goes to {@code out[outOffset + i - from]}.
     */
    public static void fillUniform(long seed, long counter, long from, long to, float[] out, int outOffset) {
        int[] w = new int[4];
        long i = from;
        int o = outOffset;
        while (i < to) {
            long blk = i >>> 2;
            block(seed, counter + blk, w);
            int lane = (int) (i & 3);
            while (lane < 4 && i < to) {
                out[o++] = toUniform(w[lane++]);
                i++;
            }
        }
    }

    /** Normal values for stream positions {@code [from, to)} of the normal draw at {@code counter}. */
    public static void fillNormal(long seed, long counter, long from, long to, float[] out, int outOffset) {
        int[] w = new int[4];
        long i = from;
        int o = outOffset;
        while (i < to) {
            long pair = i >>> 1;
            block(seed, counter + pair, w);
            double u1 = ((w[0] >>> 8) + 1) * 0x1p-24;
            double u2 = (w[1] >>> 8) * 0x1p-24;
            double r = Math.sqrt(-2.0 * Math.log(u1));
            double theta = 2.0 * Math.PI * u2;
            if ((i & 1) == 0) {
                out[o++] = (float) (r * Math.cos(theta));
                i++;
                if (i >= to) {
                    break;
                }
            }
            out[o++] = (float) (r * Math.sin(theta));
            i++;
        }
    }

    /** Blocks used by a uniform draw of {@code n} values. */
    public static long uniformBlocks(long n) {
        return (n + 3) >>> 2;
    }

    /** Blocks used by a normal draw of {@code n} values. */
    public static long normalBlocks(long n) {
        return (n + 1) >>> 1;
    }
}
