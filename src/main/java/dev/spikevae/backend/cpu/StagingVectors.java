package dev.spikevae.backend.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API half of {@link ConvStaging}: splitting a stride-2 row into its even and odd columns two vectors at a
 * time (and joining them back), where a scalar loop of 8 or 16 elements a phase spent most of its time in loop
 * overhead. Each output vector is two in-vector permutations and a blend (JDK 17 does not compile a permutation across
 * two vectors to vector instructions). u8 rows are widened to floats first. Also the 8 x 8 transposition of {@link
 * DirectConv}'s weight gradient, by the same means. Loaded only when the Vector API is.
 */
final class StagingVectors {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** A float vector's worth of bytes. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES));
    /**
     * Lane i of both halves takes element 2i (EVEN) or 2i + 1 (ODD) of the half-vector's pairs (these and the
     * permutations below also serve {@link StrideTwoPlanes}).
     */
    static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SPECIES, i -> 2 * (i % (LANES / 2)));
    static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(SPECIES, i -> 2 * (i % (LANES / 2)) + 1);
    static final VectorMask<Float> HIGH = VectorMask.fromLong(SPECIES, -1L << (LANES / 2));
    /** Lane i takes element i / 2 of the low (LOW) or high (HIGH_HALF) half; odd lanes are blended from the other. */
    static final VectorShuffle<Float> LOW = VectorShuffle.fromOp(SPECIES, i -> i / 2);
    static final VectorShuffle<Float> HIGH_HALF = VectorShuffle.fromOp(SPECIES, i -> LANES / 2 + i / 2);
    static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(SPECIES, 0xAAAAAAAAAAAAAAAAL);
    /**
     * A row of one vector (16 floats at 16 lanes: E2's 16 x 16 images) against its two phases side by side, the even
     * one first (EVEN_FIRST) or the odd one: row to phases (SPLIT_*) and phases to row (JOIN_*), one permutation each.
     */
    private static final VectorShuffle<Float> SPLIT_EVEN_FIRST =
            VectorShuffle.fromOp(SPECIES, i -> i < LANES / 2 ? 2 * i : 2 * (i - LANES / 2) + 1);
    private static final VectorShuffle<Float> SPLIT_ODD_FIRST =
            VectorShuffle.fromOp(SPECIES, i -> i < LANES / 2 ? 2 * i + 1 : 2 * (i - LANES / 2));
    private static final VectorShuffle<Float> JOIN_EVEN_FIRST =
            VectorShuffle.fromOp(SPECIES, i -> i % 2 == 0 ? i / 2 : LANES / 2 + i / 2);
    private static final VectorShuffle<Float> JOIN_ODD_FIRST =
            VectorShuffle.fromOp(SPECIES, i -> i % 2 == 0 ? LANES / 2 + i / 2 : i / 2);

    /**
     * {@link #transpose8}'s vectors, shuffles (lane j takes lane j - d, UP, or j + d, DOWN) and masks (bit d of j): 256
     * bits, in a class of their own that the first transposition initialises, so that machines with other vectors never
     * make them ({@link DirectConv} transposes so only where 256 bits is the preferred shape: vectors of a second shape
     * beside the kernels' made JDK 17's C2 box theirs; docs/engine.md, "The CPU backend").
     */
    static final class Eight {
        static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
        static final VectorShuffle<Float> UP1 = VectorShuffle.fromOp(S8, j -> (j - 1) & 7);
        static final VectorShuffle<Float> DOWN1 = VectorShuffle.fromOp(S8, j -> (j + 1) & 7);
        static final VectorShuffle<Float> UP2 = VectorShuffle.fromOp(S8, j -> (j - 2) & 7);
        static final VectorShuffle<Float> DOWN2 = VectorShuffle.fromOp(S8, j -> (j + 2) & 7);
        static final VectorShuffle<Float> UP4 = VectorShuffle.fromOp(S8, j -> (j - 4) & 7);
        static final VectorShuffle<Float> DOWN4 = VectorShuffle.fromOp(S8, j -> (j + 4) & 7);
        static final VectorMask<Float> BIT1 = VectorMask.fromLong(S8, 0b10101010);
        static final VectorMask<Float> CLEAR1 = VectorMask.fromLong(S8, 0b01010101);
        static final VectorMask<Float> BIT2 = VectorMask.fromLong(S8, 0b11001100);
        static final VectorMask<Float> CLEAR2 = VectorMask.fromLong(S8, 0b00110011);
        static final VectorMask<Float> BIT4 = VectorMask.fromLong(S8, 0b11110000);
        static final VectorMask<Float> CLEAR4 = VectorMask.fromLong(S8, 0b00001111);

        private Eight() {
        }
    }

    private StagingVectors() {
    }

    /** Rows of {@code n} pairs that {@link #splitRows} and {@link #joinRows} take as whole vectors. */
    static boolean fits(int n) {
        return n % LANES == 0;
    }

    /**
     * Rows of {@code n} pairs that are one vector, whose phases lie side by side in the staged row ({@code even} and
     * {@code odd} where they start), which {@link #splitRows} and {@link #joinRows} also take.
     */
    static boolean fitsHalf(int n, int even, int odd) {
        return 2 * n == LANES && Math.abs(odd - even) == n;
    }

    /**
     * The rows of a stride-2 plane: for each of {@code rows} input rows of {@code inW} elements (from {@code in},
     * consecutive), element 2i to {@code dst[rowAt + even + i]} and 2i + 1 to {@code dst[rowAt + odd + i]}, and zero at
     * {@code dst[rowAt + gap]} for every slot of {@code gaps}; {@code rowAt} advancing by {@code row}. inW / 2 is a
     * multiple of the vector length, or half of it with the phases side by side ({@link #fitsHalf}); u8 elements
     * (unsigned) when {@code xf} is null.
     */
    static void splitRows(float[] xf, byte[] xb, int in, int inW, int rows, float[] dst, int rowAt, int row, int even,
                          int odd, int[] gaps) {
        int n = inW / 2;
        if (2 * n == LANES) {
            splitHalfRows(xf, xb, in, rows, dst, rowAt, row, even, odd, gaps);
            return;
        }
        if (n == LANES && xf != null && gaps.length == 2) {
            splitVectorRows(xf, in, rows, dst, rowAt, row, even, odd, gaps[0], gaps[1]);
            return;
        }
        for (int r = 0; r < rows; r++, in += inW, rowAt += row) {
            for (int gap : gaps) {
                dst[rowAt + gap] = 0f;
            }
            // one loop per operand type, the choice made once a row (measured faster than choosing per vector: staging
            // 512 f32 images of 32 x 32 x 32 took 9.5 ms against 10.3 on one thread)
            if (xf != null) {
                for (int i = 0; i < n; i += LANES) {
                    FloatVector v0 = FloatVector.fromArray(SPECIES, xf, in + 2 * i);
                    FloatVector v1 = FloatVector.fromArray(SPECIES, xf, in + 2 * i + LANES);
                    v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH).intoArray(dst, rowAt + even + i);
                    v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH).intoArray(dst, rowAt + odd + i);
                }
            } else {
                for (int i = 0; i < n; i += LANES) {
                    FloatVector v0 = widen(xb, in + 2 * i);
                    FloatVector v1 = widen(xb, in + 2 * i + LANES);
                    v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH).intoArray(dst, rowAt + even + i);
                    v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH).intoArray(dst, rowAt + odd + i);
                }
            }
        }
    }

    /**
     * {@link #splitRows} for f32 rows of two vectors (32 x 32 planes at 16 lanes: D4's input and weight gradients,
     * E1's forward) whose staged rows have two gaps: one loop over the rows, without the inner loop of one trip and
     * the loop over the gaps. Staging 512 D4 images on one thread: 6.2 -> 4.9 ms; D4's input gradient 8.8 -> 8.5 ms,
     * its weight gradient 9.5 -> 9.1.
     */
    private static void splitVectorRows(float[] xf, int in, int rows, float[] dst, int rowAt, int row, int even,
                                        int odd, int gap0, int gap1) {
        for (int r = 0; r < rows; r++, in += 2 * LANES, rowAt += row) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, xf, in);
            FloatVector v1 = FloatVector.fromArray(SPECIES, xf, in + LANES);
            dst[rowAt + gap0] = 0f;
            v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH).intoArray(dst, rowAt + even);
            v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH).intoArray(dst, rowAt + odd);
            dst[rowAt + gap1] = 0f;
        }
    }

    /**
     * {@link #splitRows} for rows of one vector whose phases lie side by side: one permutation of the row is both
     * phases, stored as one vector.
     */
    private static void splitHalfRows(float[] xf, byte[] xb, int in, int rows, float[] dst, int rowAt, int row,
                                      int even, int odd, int[] gaps) {
        VectorShuffle<Float> phases = even < odd ? SPLIT_EVEN_FIRST : SPLIT_ODD_FIRST;
        int at = Math.min(even, odd);
        for (int r = 0; r < rows; r++, in += LANES, rowAt += row) {
            FloatVector v = xf != null ? FloatVector.fromArray(SPECIES, xf, in) : widen(xb, in);
            v.rearrange(phases).intoArray(dst, rowAt + at);
            for (int gap : gaps) {
                dst[rowAt + gap] = 0f;
            }
        }
    }

    /**
     * The inverse of {@link #splitRows} (without the gaps): for each of {@code rows} rows, {@code xs[rowAt + even + i]}
     * to {@code x[to + 2i]} and {@code xs[rowAt + odd + i]} to {@code x[to + 2i + 1]}, {@code to} advancing by inW.
     */
    static void joinRows(float[] xs, int rowAt, int row, int even, int odd, int rows, int inW, float[] x, int to) {
        int n = inW / 2;
        if (2 * n == LANES) {
            // rows of one vector, the phases side by side: one permutation of both is the row
            VectorShuffle<Float> interleave = even < odd ? JOIN_EVEN_FIRST : JOIN_ODD_FIRST;
            int at = Math.min(even, odd);
            for (int r = 0; r < rows; r++, rowAt += row, to += inW) {
                FloatVector.fromArray(SPECIES, xs, rowAt + at).rearrange(interleave).intoArray(x, to);
            }
            return;
        }
        for (int r = 0; r < rows; r++, rowAt += row, to += inW) {
            for (int i = 0; i < n; i += LANES) {
                FloatVector e = FloatVector.fromArray(SPECIES, xs, rowAt + even + i);
                FloatVector o = FloatVector.fromArray(SPECIES, xs, rowAt + odd + i);
                e.rearrange(LOW).blend(o.rearrange(LOW), ODD_LANES).intoArray(x, to + 2 * i);
                e.rearrange(HIGH_HALF).blend(o.rearrange(HIGH_HALF), ODD_LANES).intoArray(x, to + 2 * i + LANES);
            }
        }
    }

    /**
     * An 8 x 8 block of floats transposed: row i of the source (8 elements at {@code from + i * stride}) becomes column
     * i of the destination (row j at {@code to + j * toStride}). Three butterfly stages, each swapping the off-diagonal
     * d x d blocks of every 2d x 2d block (d = 1, 2, 4) with an in-vector permutation and a blend per row: eight vector
     * loads and stores where element by element the same block was 64 loads and 64 stores to 64 places. 256-bit
     * vectors: called only where they are the preferred shape. (Floats only: a variant that also widened u8 rows held
     * its loaded vectors in a phi of the two loads, which C2 boxed, and ran 4 to 8 times slower.)
     */
    static void transpose8(float[] x, int from, int stride, float[] to, int at, int toStride) {
        FloatVector r0 = FloatVector.fromArray(Eight.S8, x, from);
        FloatVector r1 = FloatVector.fromArray(Eight.S8, x, from + stride);
        FloatVector r2 = FloatVector.fromArray(Eight.S8, x, from + 2 * stride);
        FloatVector r3 = FloatVector.fromArray(Eight.S8, x, from + 3 * stride);
        FloatVector r4 = FloatVector.fromArray(Eight.S8, x, from + 4 * stride);
        FloatVector r5 = FloatVector.fromArray(Eight.S8, x, from + 5 * stride);
        FloatVector r6 = FloatVector.fromArray(Eight.S8, x, from + 6 * stride);
        FloatVector r7 = FloatVector.fromArray(Eight.S8, x, from + 7 * stride);
        // d = 1: rows (0,1), (2,3), (4,5), (6,7)
        FloatVector s0 = r0.blend(r1.rearrange(Eight.UP1), Eight.BIT1);
        FloatVector s1 = r1.blend(r0.rearrange(Eight.DOWN1), Eight.CLEAR1);
        FloatVector s2 = r2.blend(r3.rearrange(Eight.UP1), Eight.BIT1);
        FloatVector s3 = r3.blend(r2.rearrange(Eight.DOWN1), Eight.CLEAR1);
        FloatVector s4 = r4.blend(r5.rearrange(Eight.UP1), Eight.BIT1);
        FloatVector s5 = r5.blend(r4.rearrange(Eight.DOWN1), Eight.CLEAR1);
        FloatVector s6 = r6.blend(r7.rearrange(Eight.UP1), Eight.BIT1);
        FloatVector s7 = r7.blend(r6.rearrange(Eight.DOWN1), Eight.CLEAR1);
        // d = 2: rows (0,2), (1,3), (4,6), (5,7)
        FloatVector t0 = s0.blend(s2.rearrange(Eight.UP2), Eight.BIT2);
        FloatVector t2 = s2.blend(s0.rearrange(Eight.DOWN2), Eight.CLEAR2);
        FloatVector t1 = s1.blend(s3.rearrange(Eight.UP2), Eight.BIT2);
        FloatVector t3 = s3.blend(s1.rearrange(Eight.DOWN2), Eight.CLEAR2);
        FloatVector t4 = s4.blend(s6.rearrange(Eight.UP2), Eight.BIT2);
        FloatVector t6 = s6.blend(s4.rearrange(Eight.DOWN2), Eight.CLEAR2);
        FloatVector t5 = s5.blend(s7.rearrange(Eight.UP2), Eight.BIT2);
        FloatVector t7 = s7.blend(s5.rearrange(Eight.DOWN2), Eight.CLEAR2);
        // d = 4: rows (0,4), (1,5), (2,6), (3,7)
        t0.blend(t4.rearrange(Eight.UP4), Eight.BIT4).intoArray(to, at);
        t1.blend(t5.rearrange(Eight.UP4), Eight.BIT4).intoArray(to, at + toStride);
        t2.blend(t6.rearrange(Eight.UP4), Eight.BIT4).intoArray(to, at + 2 * toStride);
        t3.blend(t7.rearrange(Eight.UP4), Eight.BIT4).intoArray(to, at + 3 * toStride);
        t4.blend(t0.rearrange(Eight.DOWN4), Eight.CLEAR4).intoArray(to, at + 4 * toStride);
        t5.blend(t1.rearrange(Eight.DOWN4), Eight.CLEAR4).intoArray(to, at + 5 * toStride);
        t6.blend(t2.rearrange(Eight.DOWN4), Eight.CLEAR4).intoArray(to, at + 6 * toStride);
        t7.blend(t3.rearrange(Eight.DOWN4), Eight.CLEAR4).intoArray(to, at + 7 * toStride);
    }

    /**
     * {@link #transpose16}'s shuffles (lane j takes lane j XOR d) and masks (bit d of j set, or clear) at 16 lanes, in a
     * class of their own that only 512-bit machines initialise.
     */
    static final class Sixteen {
        static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
        static final VectorShuffle<Float> X1 = VectorShuffle.fromOp(S16, j -> j ^ 1);
        static final VectorShuffle<Float> X2 = VectorShuffle.fromOp(S16, j -> j ^ 2);
        static final VectorShuffle<Float> X4 = VectorShuffle.fromOp(S16, j -> j ^ 4);
        static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(S16, j -> j ^ 8);
        static final VectorMask<Float> BIT1 = VectorMask.fromLong(S16, 0xAAAAL);
        static final VectorMask<Float> CLEAR1 = VectorMask.fromLong(S16, 0x5555L);
        static final VectorMask<Float> BIT2 = VectorMask.fromLong(S16, 0xCCCCL);
        static final VectorMask<Float> CLEAR2 = VectorMask.fromLong(S16, 0x3333L);
        static final VectorMask<Float> BIT4 = VectorMask.fromLong(S16, 0xF0F0L);
        static final VectorMask<Float> CLEAR4 = VectorMask.fromLong(S16, 0x0F0FL);
        static final VectorMask<Float> BIT8 = VectorMask.fromLong(S16, 0xFF00L);
        static final VectorMask<Float> CLEAR8 = VectorMask.fromLong(S16, 0x00FFL);

        private Sixteen() {
        }
    }

    /**
     * A 16 x 16 block of floats transposed ({@link #transpose8} at 512 bits): row i of the source (16 elements at
     * {@code from + i * stride}) becomes column i of the destination (row j at {@code to + j * toStride}). Four
     * butterfly stages (d = 1, 2, 4, 8), a permutation and a blend per row each. Called only where 512-bit vectors are
     * the preferred shape.
     */
    static void transpose16(float[] x, int from, int stride, float[] to, int at, int toStride) {
        FloatVector r0 = FloatVector.fromArray(Sixteen.S16, x, from);
        FloatVector r1 = FloatVector.fromArray(Sixteen.S16, x, from + stride);
        FloatVector r2 = FloatVector.fromArray(Sixteen.S16, x, from + 2 * stride);
        FloatVector r3 = FloatVector.fromArray(Sixteen.S16, x, from + 3 * stride);
        FloatVector r4 = FloatVector.fromArray(Sixteen.S16, x, from + 4 * stride);
        FloatVector r5 = FloatVector.fromArray(Sixteen.S16, x, from + 5 * stride);
        FloatVector r6 = FloatVector.fromArray(Sixteen.S16, x, from + 6 * stride);
        FloatVector r7 = FloatVector.fromArray(Sixteen.S16, x, from + 7 * stride);
        FloatVector r8 = FloatVector.fromArray(Sixteen.S16, x, from + 8 * stride);
        FloatVector r9 = FloatVector.fromArray(Sixteen.S16, x, from + 9 * stride);
        FloatVector r10 = FloatVector.fromArray(Sixteen.S16, x, from + 10 * stride);
        FloatVector r11 = FloatVector.fromArray(Sixteen.S16, x, from + 11 * stride);
        FloatVector r12 = FloatVector.fromArray(Sixteen.S16, x, from + 12 * stride);
        FloatVector r13 = FloatVector.fromArray(Sixteen.S16, x, from + 13 * stride);
        FloatVector r14 = FloatVector.fromArray(Sixteen.S16, x, from + 14 * stride);
        FloatVector r15 = FloatVector.fromArray(Sixteen.S16, x, from + 15 * stride);
        // d = 1
        FloatVector s0 = r0.blend(r1.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s1 = r1.blend(r0.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        FloatVector s2 = r2.blend(r3.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s3 = r3.blend(r2.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        FloatVector s4 = r4.blend(r5.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s5 = r5.blend(r4.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        FloatVector s6 = r6.blend(r7.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s7 = r7.blend(r6.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        FloatVector s8 = r8.blend(r9.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s9 = r9.blend(r8.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        FloatVector s10 = r10.blend(r11.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s11 = r11.blend(r10.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        FloatVector s12 = r12.blend(r13.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s13 = r13.blend(r12.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        FloatVector s14 = r14.blend(r15.rearrange(Sixteen.X1), Sixteen.BIT1);
        FloatVector s15 = r15.blend(r14.rearrange(Sixteen.X1), Sixteen.CLEAR1);
        // d = 2
        FloatVector t0 = s0.blend(s2.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t2 = s2.blend(s0.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        FloatVector t1 = s1.blend(s3.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t3 = s3.blend(s1.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        FloatVector t4 = s4.blend(s6.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t6 = s6.blend(s4.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        FloatVector t5 = s5.blend(s7.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t7 = s7.blend(s5.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        FloatVector t8 = s8.blend(s10.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t10 = s10.blend(s8.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        FloatVector t9 = s9.blend(s11.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t11 = s11.blend(s9.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        FloatVector t12 = s12.blend(s14.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t14 = s14.blend(s12.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        FloatVector t13 = s13.blend(s15.rearrange(Sixteen.X2), Sixteen.BIT2);
        FloatVector t15 = s15.blend(s13.rearrange(Sixteen.X2), Sixteen.CLEAR2);
        // d = 4
        FloatVector u0 = t0.blend(t4.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u4 = t4.blend(t0.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        FloatVector u1 = t1.blend(t5.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u5 = t5.blend(t1.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        FloatVector u2 = t2.blend(t6.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u6 = t6.blend(t2.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        FloatVector u3 = t3.blend(t7.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u7 = t7.blend(t3.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        FloatVector u8 = t8.blend(t12.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u12 = t12.blend(t8.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        FloatVector u9 = t9.blend(t13.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u13 = t13.blend(t9.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        FloatVector u10 = t10.blend(t14.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u14 = t14.blend(t10.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        FloatVector u11 = t11.blend(t15.rearrange(Sixteen.X4), Sixteen.BIT4);
        FloatVector u15 = t15.blend(t11.rearrange(Sixteen.X4), Sixteen.CLEAR4);
        // d = 8
        u0.blend(u8.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at);
        u8.blend(u0.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 8 * toStride);
        u1.blend(u9.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at + toStride);
        u9.blend(u1.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 9 * toStride);
        u2.blend(u10.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at + 2 * toStride);
        u10.blend(u2.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 10 * toStride);
        u3.blend(u11.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at + 3 * toStride);
        u11.blend(u3.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 11 * toStride);
        u4.blend(u12.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at + 4 * toStride);
        u12.blend(u4.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 12 * toStride);
        u5.blend(u13.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at + 5 * toStride);
        u13.blend(u5.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 13 * toStride);
        u6.blend(u14.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at + 6 * toStride);
        u14.blend(u6.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 14 * toStride);
        u7.blend(u15.rearrange(Sixteen.X8), Sixteen.BIT8).intoArray(to, at + 7 * toStride);
        u15.blend(u7.rearrange(Sixteen.X8), Sixteen.CLEAR8).intoArray(to, at + 15 * toStride);
    }

    /** {@code n} u8 elements from {@code xb[from]}, unsigned, as floats into {@code to[at]}: whole vectors, then one by one. */
    static void widenRun(byte[] xb, int from, float[] to, int at, int n) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            widen(xb, from + j).intoArray(to, at + j);
        }
        for (; j < n; j++) {
            to[at + j] = xb[from + j] & 0xFF;
        }
    }

    /** A vector of u8 elements from {@code xb[at]}, unsigned, as floats (also {@link DirectConv}'s). */
    static FloatVector widen(byte[] xb, int at) {
        IntVector v = (IntVector) ByteVector.fromArray(BYTES, xb, at).convertShape(VectorOperators.B2I, INTS, 0);
        return (FloatVector) v.lanewise(VectorOperators.AND, 0xFF).convert(VectorOperators.I2F, 0);
    }
}
