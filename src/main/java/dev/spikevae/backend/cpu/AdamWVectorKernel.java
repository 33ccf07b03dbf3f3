package dev.spikevae.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The AdamW update with the Vector API (loaded only when the module is present). */
final class AdamWVectorKernel implements AdamWKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    @Override
    public void step(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, int from, int to,
                     AdamWConstants c) {
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector grad = FloatVector.fromArray(SPECIES, g, gOff + i);
            FloatVector mi = FloatVector.fromArray(SPECIES, m, mOff + i).mul(c.beta1()).add(grad.mul(c.oneMinusBeta1()));
            FloatVector vi = FloatVector.fromArray(SPECIES, v, vOff + i).mul(c.beta2())
                    .add(grad.mul(grad).mul(c.oneMinusBeta2()));
            FloatVector denom = vi.sqrt().div(c.sqrtBiasCorrection2()).add(c.eps());
            mi.intoArray(m, mOff + i);
            vi.intoArray(v, vOff + i);
            FloatVector.fromArray(SPECIES, p, pOff + i).mul(c.decayFactor()).sub(mi.div(denom).mul(c.stepSize()))
                    .intoArray(p, pOff + i);
        }
        AdamWScalarKernel.stepRange(p, pOff, g, gOff, m, mOff, v, vOff, i, to, c);
    }
}
