package dev.spikevae.backend.cpu;

/** The AdamW update over {@code [from, to)} with precomputed per-step constants (vector or scalar). */
interface AdamWKernel {

    void step(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, int from, int to,
              AdamWConstants c);
}
