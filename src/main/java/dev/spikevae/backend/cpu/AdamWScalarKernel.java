package dev.spikevae.backend.cpu;

/** The AdamW update in plain Java, operation for operation as {@link AdamWVectorKernel}. */
final class AdamWScalarKernel implements AdamWKernel {

    @Override
    public void step(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, int from, int to,
                     AdamWConstants c) {
        stepRange(p, pOff, g, gOff, m, mOff, v, vOff, from, to, c);
    }

    static void stepRange(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, int from,
                          int to, AdamWConstants c) {
        for (int i = from; i < to; i++) {
            float grad = g[gOff + i];
            float mi = m[mOff + i] * c.beta1() + grad * c.oneMinusBeta1();
            float vi = v[vOff + i] * c.beta2() + grad * grad * c.oneMinusBeta2();
            float denom = (float) Math.sqrt(vi) / c.sqrtBiasCorrection2() + c.eps();
            m[mOff + i] = mi;
            v[vOff + i] = vi;
            p[pOff + i] = p[pOff + i] * c.decayFactor() - mi / denom * c.stepSize();
        }
    }
}
