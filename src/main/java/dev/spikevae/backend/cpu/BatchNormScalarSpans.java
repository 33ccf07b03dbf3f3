package dev.spikevae.backend.cpu;

/** {@link BatchNormSpans} in plain Java, sums in double. */
final class BatchNormScalarSpans implements BatchNormSpans {

    @Override
    public double sum(float[] x, int off, int n) {
        double s = 0;
        for (int i = off; i < off + n; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    public double sumSquaredDeviation(float[] x, int off, int n, float mean) {
        double s = 0;
        for (int i = off; i < off + n; i++) {
            float d = x[i] - mean;
            s += d * d;
        }
        return s;
    }

    @Override
    public double sumProductDeviation(float[] dy, int dyOff, float[] x, int xOff, int n, float mean) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += dy[dyOff + i] * (x[xOff + i] - mean);
        }
        return s;
    }

    @Override
    public void normalize(float[] x, int xOff, float[] y, int yOff, int n, float mean, float scale, float shift) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (x[xOff + i] - mean) * scale + shift;
        }
    }

    @Override
    public void backward(float[] dy, int dyOff, float[] x, int xOff, float[] dx, int dxOff, int n, float a, float b,
                         float mean, float c) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = dy[dyOff + i] * a + (x[xOff + i] - mean) * b + c;
        }
    }

    @Override
    public void normalizeRow(float[] x, int xOff, float[] y, int yOff, int n, float[] mean, float[] scale, float[] shift) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (x[xOff + i] - mean[i]) * scale[i] + shift[i];
        }
    }

    @Override
    public void backwardRow(float[] dy, int dyOff, float[] x, int xOff, float[] dx, int dxOff, int n, float[] a, float[] b,
                            float[] mean, float[] c) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = dy[dyOff + i] * a[i] + (x[xOff + i] - mean[i]) * b[i] + c[i];
        }
    }
}
