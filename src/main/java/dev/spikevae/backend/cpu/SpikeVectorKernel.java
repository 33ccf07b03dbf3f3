package dev.spikevae.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SpikeKernel} on the Vector API: fused multiply-adds, lane by lane the arithmetic of
 * {@link SgemmVectorKernel}'s micro-kernel ({@link Math#fma} on the tail, which rounds the same way), and
 * its reduction block {@code kc}.
 */
final class SpikeVectorKernel implements SpikeKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    static SpikeKernel create() {
        return new SpikeVectorKernel();
    }

    @Override
    public void axpy(int n, float v, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        if (n >= LANES) {
            FloatVector vs = FloatVector.broadcast(SPECIES, v);
            for (int end = n - LANES; i <= end; i += LANES) {
                FloatVector.fromArray(SPECIES, x, xOff + i).fma(vs, FloatVector.fromArray(SPECIES, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], v, y[yOff + i]);
        }
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (int end = n - LANES; i <= end; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).add(FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    /** Four vectors of sums at a time in registers, then one, then lane by lane. */
    @Override
    public void sumRows(int n, int from, int to, int[] at, float[] v, float[] x, float[] y, int yOff, boolean add) {
        int i = 0;
        for (; i + 4 * LANES <= n; i += 4 * LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            for (int e = from; e < to; e++) {
                int o = at[e] + i;
                FloatVector ve = FloatVector.broadcast(SPECIES, v[e]);
                s0 = FloatVector.fromArray(SPECIES, x, o).fma(ve, s0);
                s1 = FloatVector.fromArray(SPECIES, x, o + LANES).fma(ve, s1);
                s2 = FloatVector.fromArray(SPECIES, x, o + 2 * LANES).fma(ve, s2);
                s3 = FloatVector.fromArray(SPECIES, x, o + 3 * LANES).fma(ve, s3);
            }
            store(s0, y, yOff + i, add);
            store(s1, y, yOff + i + LANES, add);
            store(s2, y, yOff + i + 2 * LANES, add);
            store(s3, y, yOff + i + 3 * LANES, add);
        }
        for (; i + LANES <= n; i += LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            for (int e = from; e < to; e++) {
                s0 = FloatVector.fromArray(SPECIES, x, at[e] + i).fma(FloatVector.broadcast(SPECIES, v[e]), s0);
            }
            store(s0, y, yOff + i, add);
        }
        for (; i < n; i++) {
            float s = 0f;
            for (int e = from; e < to; e++) {
                s = Math.fma(x[at[e] + i], v[e], s);
            }
            y[yOff + i] = add ? s + y[yOff + i] : s;
        }
    }

    private static void store(FloatVector s, float[] y, int off, boolean add) {
        (add ? s.add(FloatVector.fromArray(SPECIES, y, off)) : s).intoArray(y, off);
    }

    @Override
    public int reductionBlock() {
        return SgemmVectorKernel.KC;
    }
}
