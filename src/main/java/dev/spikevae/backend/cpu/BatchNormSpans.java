package dev.spikevae.backend.cpu;

/**
 * The contiguous inner loops of batch norm, in a vector and a scalar implementation. A span is one
 * channel's {@code inner} contiguous values of one outer index; a row is one outer index's
 * {@code C * inner} values, with per-position coefficient arrays (used when inner is small, e.g. 1 for
 * linear layers, so that the contiguous axis is the channel axis).
 */
interface BatchNormSpans {

    /** Sum of {@code x[off .. off+n)}. */
    double sum(float[] x, int off, int n);

    /** Sum of {@code (x - mean)^2}. */
    double sumSquaredDeviation(float[] x, int off, int n, float mean);

    /** Sum of {@code dy * (x - mean)}. */
    double sumProductDeviation(float[] dy, int dyOff, float[] x, int xOff, int n, float mean);

    /** {@code y = (x - mean) * scale + shift}. */
    void normalize(float[] x, int xOff, float[] y, int yOff, int n, float mean, float scale, float shift);

    /** {@code dx = a dy + b (x - mean) + c}. */
    void backward(float[] dy, int dyOff, float[] x, int xOff, float[] dx, int dxOff, int n, float a, float b, float mean,
                  float c);

    /** {@link #normalize} over a row with per-position coefficients (arrays from index 0). */
    void normalizeRow(float[] x, int xOff, float[] y, int yOff, int n, float[] mean, float[] scale, float[] shift);

    /** {@link #backward} over a row with per-position coefficients (arrays from index 0). */
    void backwardRow(float[] dy, int dyOff, float[] x, int xOff, float[] dx, int dxOff, int n, float[] a, float[] b,
                     float[] mean, float[] c);
}
