package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.Surrogate;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LIF recurrences with the Vector API: the lanes of a vector are neighbouring neurons. A block of
 * neurons is advanced through all T steps before the next block, so each time step reads and writes a
 * contiguous run of every array (a few KB, which the prefetchers follow) and the previous step's row is
 * still in L1 when the next step needs it. Loaded only when {@link VectorSupport#available()}.
 *
 * <p>The state between steps (u_{t-1} forward, dL/du_{t+1} backward) is read back from the row just
 * written instead of being kept in vector variables, and each step is a method that takes only arrays
 * and offsets. Both choices keep vectors out of loop phis and keep compiled units small: with
 * loop-carried vectors or a four-vector unrolled step, JDK 17's C2 boxed vectors (hundreds of MB of
 * allocation per call) once the forward and backward kernels had both been profiled.
 *
 * <p>Operation order mirrors {@link LifScalarKernel} exactly.
 */
final class LifVectorKernel implements LifKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Neurons per block: rows of 4 KB per array and time step. */
    private static final int BLOCK = 1024;
    /** {@link #spikes}' u8 spikes: as ints of the preferred shape, narrowed to a vector of as many bytes. */
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES));
    /** Stands in for the state before the first step (forward) or after the last (backward). */
    private static final float[] ZEROS = new float[LANES];

    @Override
    public int alignment() {
        return LANES;
    }

    @Override
    public String name() {
        return "vector" + 32 * LANES;
    }

    /**
     * {@link LifKernel#spikes} a vector of membranes at a time: the comparison's mask selects 1 or 0 (u8 spikes through
     * ints narrowed to bytes: 0.12 ns a spike against 0.72 element by element on 8 lanes, where a float-to-byte
     * conversion or a cast of the mask to bytes was not compiled to vector instructions by JDK 17 and ran at 2.4 to
     * 6.7 ns). Vectors of the preferred shape only: this kernel once took 8 lanes whatever the shape, and on 512-bit
     * machines those 256-bit vectors passing through the Vector API's shared methods made JDK 17's C2 lose the exact
     * vector class in the other kernels (SGEMM, direct convolutions, LIF), whose vectors it then boxed: the ESVAE step
     * ran 2 to 7 times slower, by how the compilations fell (docs/benchmarks.md, "One vector shape").
     */
    @Override
    public void spikes(float[] u, int uOff, float threshold, float[] sF, byte[] sB, int sOff, int count) {
        // narrower than 8 lanes the mask and conversions run the Vector API's slow fallback
        int whole = LANES >= 8 ? count - count % LANES : 0;
        for (int i = 0; i < whole; i += LANES) {
            VectorMask<Float> fired = FloatVector.fromArray(SPECIES, u, uOff + i).compare(VectorOperators.GT, threshold);
            if (sB != null) {
                IntVector.zero(INTS).blend(1, fired.cast(INTS))
                        .convertShape(VectorOperators.I2B, BYTES, 0).reinterpretAsBytes().intoArray(sB, sOff + i);
            } else {
                FloatVector.zero(SPECIES).blend(1f, fired).intoArray(sF, sOff + i);
            }
        }
        LifKernel.super.spikes(u, uOff + whole, threshold, sF, sB, sOff + whole, count - whole);
    }

    @Override
    public void forward(float[] x, int xOff, float[] s, int sOff, float[] u, int uOff, int steps, int neurons, int from,
                        int to, LifParams p) {
        float decay = p.decay();
        float threshold = p.threshold();
        int vectorEnd = from + (to - from) / LANES * LANES;
        for (int b = from; b < vectorEnd; b += BLOCK) {
            int e = Math.min(vectorEnd, b + BLOCK);
            for (int i = b; i < e; i += LANES) {
                forwardStep(x, xOff + i, s, sOff + i, u, uOff + i, ZEROS, 0, decay, threshold);
            }
            for (int row = neurons, end = steps * neurons; row < end; row += neurons) {
                for (int i = b; i < e; i += LANES) {
                    int o = row + i;
                    forwardStep(x, xOff + o, s, sOff + o, u, uOff + o, u, uOff + o - neurons, decay, threshold);
                }
            }
        }
        if (vectorEnd < to) {
            LifScalarKernel.forwardRange(x, xOff, s, sOff, u, uOff, steps, neurons, vectorEnd, to, p);
        }
    }

    /** One time step of one vector of neurons, given the previous step's membrane {@code prev} at {@code po}. */
    private static void forwardStep(float[] x, int xo, float[] s, int so, float[] u, int uo, float[] prev, int po,
                                    float decay, float threshold) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector before = FloatVector.fromArray(SPECIES, prev, po);
        FloatVector ut = before.mul(decay).blend(0L, before.compare(VectorOperators.GT, threshold))
                .add(FloatVector.fromArray(SPECIES, x, xo));
        ut.intoArray(u, uo);
        if (s != null) {
            zero.blend(one, ut.compare(VectorOperators.GT, threshold)).intoArray(s, so);
        }
    }

    @Override
    public void backwardStrided(float[] ds, int dsOff, int dsStride, float[] u, int uOff, int uStride, float[] dx,
                                int dxOff, int dxStride, int steps, int count, LifParams p) {
        if (p.surrogate() == Surrogate.SIGMOID) {
            // The Vector API's EXP is a different approximation when C2 intrinsifies it than when it is
            // interpreted, so results would depend on JIT timing and on how neurons fall into threads;
            // Math.exp gives the same bits in every execution mode.
            LifScalarKernel.backwardRange(ds, dsOff, dsStride, u, uOff, uStride, dx, dxOff, dxStride, steps, count, p);
            return;
        }
        int vectorEnd = count / LANES * LANES;
        int last = steps - 1;
        for (int b = 0; b < vectorEnd; b += BLOCK) {
            int e = Math.min(vectorEnd, b + BLOCK);
            int dsRow = dsOff + last * dsStride;
            int uRow = uOff + last * uStride;
            int dxRow = dxOff + last * dxStride;
            for (int i = b; i < e; i += LANES) {
                backwardStep(ds, dsRow + i, u, uRow + i, dx, dxRow + i, ZEROS, 0, p);
            }
            for (int t = last - 1; t >= 0; t--) {
                // the row after this one is the state: dL/du_{t+1}
                int nextRow = dxRow;
                dsRow -= dsStride;
                uRow -= uStride;
                dxRow -= dxStride;
                for (int i = b; i < e; i += LANES) {
                    backwardStep(ds, dsRow + i, u, uRow + i, dx, dxRow + i, dx, nextRow + i, p);
                }
            }
        }
        if (vectorEnd < count) {
            LifScalarKernel.backwardRange(ds, dsOff + vectorEnd, dsStride, u, uOff + vectorEnd, uStride, dx,
                    dxOff + vectorEnd, dxStride, steps, count - vectorEnd, p);
        }
    }

    @Override
    public void normalizedMembranes(float[] x, int xOff, int xStride, float[] mean, float[] scale, float[] shift,
                                    float[] u, int uOff, int uStride, int steps, int count, LifParams p) {
        float decay = p.decay();
        float threshold = p.threshold();
        int vectorEnd = count / LANES * LANES;
        for (int b = 0; b < vectorEnd; b += BLOCK) {
            int e = Math.min(vectorEnd, b + BLOCK);
            for (int i = b; i < e; i += LANES) {
                normalizedStep(x, xOff + i, mean, scale, shift, i, u, uOff + i, ZEROS, 0, decay, threshold);
            }
            for (int t = 1; t < steps; t++) {
                int xRow = xOff + t * xStride;
                int uRow = uOff + t * uStride;
                for (int i = b; i < e; i += LANES) {
                    normalizedStep(x, xRow + i, mean, scale, shift, i, u, uRow + i, u, uRow - uStride + i, decay,
                            threshold);
                }
            }
        }
        if (vectorEnd < count) {
            LifScalarKernel.normalizedRange(x, xOff, xStride, mean, scale, shift, u, uOff, uStride, steps, vectorEnd,
                    count, p);
        }
    }

    /**
     * One time step of one vector of neurons driven by batch norm's output {@code (x - mean) * scale + shift}
     * (coefficients at {@code co}), given the previous step's membrane {@code prev} at {@code po}.
     */
    private static void normalizedStep(float[] x, int xo, float[] mean, float[] scale, float[] shift, int co, float[] u,
                                       int uo, float[] prev, int po, float decay, float threshold) {
        FloatVector y = FloatVector.fromArray(SPECIES, x, xo).sub(FloatVector.fromArray(SPECIES, mean, co))
                .mul(FloatVector.fromArray(SPECIES, scale, co)).add(FloatVector.fromArray(SPECIES, shift, co));
        FloatVector before = FloatVector.fromArray(SPECIES, prev, po);
        before.mul(decay).blend(0L, before.compare(VectorOperators.GT, threshold)).add(y).intoArray(u, uo);
    }

    /** One reverse step of one vector of neurons, given the next step's membrane gradient {@code next} at {@code no}. */
    private static void backwardStep(float[] ds, int dso, float[] u, int uo, float[] dx, int dxo, float[] next, int no,
                                     LifParams p) {
        float decay = p.decay();
        float resetGain = p.detachReset() ? 0f : decay;
        FloatVector g = FloatVector.fromArray(SPECIES, next, no);
        FloatVector ut = FloatVector.fromArray(SPECIES, u, uo);
        FloatVector dSpike = FloatVector.fromArray(SPECIES, ds, dso).sub(ut.mul(resetGain).mul(g));
        FloatVector leak = g.mul(decay).blend(0L, ut.compare(VectorOperators.GT, p.threshold()));
        surrogateTimes(p.surrogate(), dSpike, ut.sub(p.centre()), p.width()).add(leak).intoArray(dx, dxo);
    }

    /** {@code grad * surrogate'(v)}, as {@link LifScalarKernel#surrogateTimes} (SIGMOID runs on the scalar kernel). */
    private static FloatVector surrogateTimes(Surrogate kind, FloatVector grad, FloatVector v, float width) {
        switch (kind) {
            case RECTANGLE: {
                VectorMask<Float> inside = v.abs().compare(VectorOperators.LT, width);
                return FloatVector.zero(SPECIES).blend(grad.mul(0.5f / width), inside);
            }
            case ATAN: {
                FloatVector z = v.mul((float) (Math.PI / 2) * width);
                return grad.mul(FloatVector.broadcast(SPECIES, width / 2f).div(z.mul(z).add(1f)));
            }
            default:
                throw new IllegalArgumentException("unknown surrogate " + kind);
        }
    }
}
