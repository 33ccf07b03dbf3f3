package dev.spikevae.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BatchNormSpans} with the Vector API. Sums run in float lanes within a span (a span is at most
 * one channel of one image-step, a few thousand values) and are returned as double, so the caller's
 * accumulation across spans, chunks and threads is in double. Loaded only when the module is present.
 */
final class BatchNormVectorSpans implements BatchNormSpans {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    @Override
    public double sum(float[] x, int off, int n) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            acc0 = acc0.add(FloatVector.fromArray(SPECIES, x, off + i));
            acc1 = acc1.add(FloatVector.fromArray(SPECIES, x, off + i + LANES));
        }
        double s = i == 0 ? 0 : VectorLanes.sumInOrder(acc0.add(acc1));
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    @Override
    public double sumSquaredDeviation(float[] x, int off, int n, float mean) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, x, off + i).sub(mean);
            FloatVector d1 = FloatVector.fromArray(SPECIES, x, off + i + LANES).sub(mean);
            acc0 = d0.fma(d0, acc0);
            acc1 = d1.fma(d1, acc1);
        }
        double s = i == 0 ? 0 : VectorLanes.sumInOrder(acc0.add(acc1));
        for (; i < n; i++) {
            float d = x[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    @Override
    public double sumProductDeviation(float[] dy, int dyOff, float[] x, int xOff, int n, float mean) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, x, xOff + i).sub(mean);
            FloatVector d1 = FloatVector.fromArray(SPECIES, x, xOff + i + LANES).sub(mean);
            acc0 = d0.fma(FloatVector.fromArray(SPECIES, dy, dyOff + i), acc0);
            acc1 = d1.fma(FloatVector.fromArray(SPECIES, dy, dyOff + i + LANES), acc1);
        }
        double s = i == 0 ? 0 : VectorLanes.sumInOrder(acc0.add(acc1));
        for (; i < n; i++) {
            s += dy[dyOff + i] * (x[xOff + i] - mean);
        }
        return s;
    }

    @Override
    public void normalize(float[] x, int xOff, float[] y, int yOff, int n, float mean, float scale, float shift) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).sub(mean).mul(scale).add(shift).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = (x[xOff + i] - mean) * scale + shift;
        }
    }

    @Override
    public void backward(float[] dy, int dyOff, float[] x, int xOff, float[] dx, int dxOff, int n, float a, float b,
                         float mean, float c) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector dev = FloatVector.fromArray(SPECIES, x, xOff + i).sub(mean);
            FloatVector.fromArray(SPECIES, dy, dyOff + i).mul(a).add(dev.mul(b)).add(c).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = dy[dyOff + i] * a + (x[xOff + i] - mean) * b + c;
        }
    }

    @Override
    public void normalizeRow(float[] x, int xOff, float[] y, int yOff, int n, float[] mean, float[] scale, float[] shift) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOff + i).sub(FloatVector.fromArray(SPECIES, mean, i))
                    .mul(FloatVector.fromArray(SPECIES, scale, i)).add(FloatVector.fromArray(SPECIES, shift, i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = (x[xOff + i] - mean[i]) * scale[i] + shift[i];
        }
    }

    @Override
    public void backwardRow(float[] dy, int dyOff, float[] x, int xOff, float[] dx, int dxOff, int n, float[] a, float[] b,
                            float[] mean, float[] c) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector dev = FloatVector.fromArray(SPECIES, x, xOff + i).sub(FloatVector.fromArray(SPECIES, mean, i));
            FloatVector.fromArray(SPECIES, dy, dyOff + i).mul(FloatVector.fromArray(SPECIES, a, i))
                    .add(dev.mul(FloatVector.fromArray(SPECIES, b, i))).add(FloatVector.fromArray(SPECIES, c, i))
                    .intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = dy[dyOff + i] * a[i] + (x[xOff + i] - mean[i]) * b[i] + c[i];
        }
    }
}
