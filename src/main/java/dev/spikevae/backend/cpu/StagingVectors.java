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
 * two vectors to vector instructions). u8 rows are widened to floats first. Loaded only when the Vector API is.
 */
final class StagingVectors {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** A float vector's worth of bytes. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES));
    /** Lane i of both halves takes element 2i (EVEN) or 2i + 1 (ODD) of the half-vector's pairs. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SPECIES, i -> 2 * (i % (LANES / 2)));
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(SPECIES, i -> 2 * (i % (LANES / 2)) + 1);
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(SPECIES, -1L << (LANES / 2));
    /** Lane i takes element i / 2 of the low (LOW) or high (HIGH_HALF) half; odd lanes are blended from the other. */
    private static final VectorShuffle<Float> LOW = VectorShuffle.fromOp(SPECIES, i -> i / 2);
    private static final VectorShuffle<Float> HIGH_HALF = VectorShuffle.fromOp(SPECIES, i -> LANES / 2 + i / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(SPECIES, 0xAAAAAAAAAAAAAAAAL);

    private StagingVectors() {
    }

    /** Rows of {@code n} pairs that {@link #splitRows} and {@link #joinRows} take: whole vectors. */
    static boolean fits(int n) {
        return n % LANES == 0;
    }

    /**
     * The rows of a stride-2 plane: for each of {@code rows} input rows of {@code inW} elements (from {@code in},
     * consecutive), element 2i to {@code dst[rowAt + even + i]} and 2i + 1 to {@code dst[rowAt + odd + i]}, and zero at
     * {@code dst[rowAt + gap]} for every slot of {@code gaps}; {@code rowAt} advancing by {@code row}. inW / 2 is a
     * multiple of the vector length; u8 elements (unsigned) when {@code xf} is null.
     */
    static void splitRows(float[] xf, byte[] xb, int in, int inW, int rows, float[] dst, int rowAt, int row, int even,
                          int odd, int[] gaps) {
        int n = inW / 2;
        for (int r = 0; r < rows; r++, in += inW, rowAt += row) {
            for (int gap : gaps) {
                dst[rowAt + gap] = 0f;
            }
            for (int i = 0; i < n; i += LANES) {
                FloatVector v0;
                FloatVector v1;
                if (xf != null) {
                    v0 = FloatVector.fromArray(SPECIES, xf, in + 2 * i);
                    v1 = FloatVector.fromArray(SPECIES, xf, in + 2 * i + LANES);
                } else {
                    v0 = widen(xb, in + 2 * i);
                    v1 = widen(xb, in + 2 * i + LANES);
                }
                v0.rearrange(EVEN).blend(v1.rearrange(EVEN), HIGH).intoArray(dst, rowAt + even + i);
                v0.rearrange(ODD).blend(v1.rearrange(ODD), HIGH).intoArray(dst, rowAt + odd + i);
            }
        }
    }

    /**
     * The inverse of {@link #splitRows} (without the gaps): for each of {@code rows} rows, {@code xs[rowAt + even + i]}
     * to {@code x[to + 2i]} and {@code xs[rowAt + odd + i]} to {@code x[to + 2i + 1]}, {@code to} advancing by inW.
     */
    static void joinRows(float[] xs, int rowAt, int row, int even, int odd, int rows, int inW, float[] x, int to) {
        int n = inW / 2;
        for (int r = 0; r < rows; r++, rowAt += row, to += inW) {
            for (int i = 0; i < n; i += LANES) {
                FloatVector e = FloatVector.fromArray(SPECIES, xs, rowAt + even + i);
                FloatVector o = FloatVector.fromArray(SPECIES, xs, rowAt + odd + i);
                e.rearrange(LOW).blend(o.rearrange(LOW), ODD_LANES).intoArray(x, to + 2 * i);
                e.rearrange(HIGH_HALF).blend(o.rearrange(HIGH_HALF), ODD_LANES).intoArray(x, to + 2 * i + LANES);
            }
        }
    }

    /** A vector of u8 elements from {@code xb[at]}, unsigned, as floats (also {@link DirectConv}'s). */
    static FloatVector widen(byte[] xb, int at) {
        IntVector v = (IntVector) ByteVector.fromArray(BYTES, xb, at).convertShape(VectorOperators.B2I, INTS, 0);
        return (FloatVector) v.lanewise(VectorOperators.AND, 0xFF).convert(VectorOperators.I2F, 0);
    }
}
