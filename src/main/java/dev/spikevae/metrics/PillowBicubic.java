package dev.spikevae.metrics;

/**
 * Pillow's bicubic resize of a float image ({@code Image.resize(size, BICUBIC)} in mode {@code 'F'}), the resize of
 * clean-fid's "clean" FID protocol (docs/reference.md §6.3, docs/metrics.md). Pillow resamples separably, first along
 * rows (into a float32 image holding only the rows the second pass reads), then along columns:
 * <ul>
 * <li>the kernel is the cubic convolution with a = −0.5 and support 2;</li>
 * <li>when reducing, the kernel is stretched by the scale {@code in / out} (support and argument), so that every input
 * pixel contributes; when enlarging it is used as is;</li>
 * <li>output pixel {@code i} is centred at {@code (i + 0.5) · scale} in input coordinates; it reads input pixels
 * {@code [(int)(centre − support + 0.5), (int)(centre + support + 0.5))}, clipped to the image, with weights
 * {@code K((j − centre + 0.5) / filterscale)} normalised to sum 1 over the pixels read (so edges are not darkened);</li>
 * <li>sums are accumulated in double precision with double weights and stored as float32 after each pass.</li>
 * </ul>
 * Nothing is clipped here; clean-fid clips to [0, 255] afterwards.
 */
public final class PillowBicubic {
    /** The kernel's support (half-width) before scaling. */
    static final double SUPPORT = 2.0;

    private PillowBicubic() {}

    /** The cubic convolution kernel with a = −0.5, written as Pillow evaluates it. */
    static double kernel(double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((-0.5 + 2.0) * x - (-0.5 + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * -0.5;
        }
        return 0.0;
    }

    /** Weights of one axis: for each output index its first input index, count and normalised weights. */
    record Coefficients(int[] first, int[] count, double[][] weights) {}

    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = SUPPORT * filterscale;
        double ss = 1.0 / filterscale;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        double[][] weights = new double[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double[] k = new double[Math.max(xmax, 0)];
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = kernel((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            if (ww != 0.0) {
                for (int x = 0; x < xmax; x++) {
                    k[x] /= ww;
                }
            }
            first[xx] = xmin;
            count[xx] = Math.max(xmax, 0);
            weights[xx] = k;
        }
        return new Coefficients(first, count, weights);
    }

    /**
     * Resizes one channel {@code [h, w]} (row-major) to {@code [outH, outW]} as Pillow does.
     *
     * @throws IllegalArgumentException when a size is not positive or {@code src} is not {@code h · w} values
     */
    public static float[] resize(float[] src, int h, int w, int outH, int outW) {
        if (h < 1 || w < 1 || outH < 1 || outW < 1 || src.length != (long) h * w) {
            throw new IllegalArgumentException("bicubic resize: " + src.length + " values are not a " + h + "×" + w
                    + " image, or the output size " + outH + "×" + outW + " is not positive");
        }
        float[] out = new float[outH * outW];
        resize(src, 0, h, w, out, 0, outH, outW);
        return out;
    }

    /** As {@link #resize(float[], int, int, int, int)}, reading {@code src} from {@code srcAt} and writing {@code dst} from {@code dstAt}. */
    public static void resize(float[] src, int srcAt, int h, int w, float[] dst, int dstAt, int outH, int outW) {
        boolean horizontal = outW != w;
        boolean vertical = outH != h;
        Coefficients ch = coefficients(w, outW);
        Coefficients cv = coefficients(h, outH);
        // the horizontal pass covers only the rows the vertical pass reads
        int rowFirst = cv.first()[0];
        int rowLast = cv.first()[outH - 1] + cv.count()[outH - 1];
        float[] tmp;
        int tmpAt;
        int tmpW;
        if (horizontal) {
            int rows = rowLast - rowFirst;
            tmp = new float[rows * outW];
            tmpAt = 0;
            tmpW = outW;
            for (int y = 0; y < rows; y++) {
                int srcRow = srcAt + (y + rowFirst) * w;
                int dstRow = y * outW;
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = ch.first()[xx];
                    double[] k = ch.weights()[xx];
                    double ss = 0.0;
                    for (int x = 0; x < k.length; x++) {
                        ss += src[srcRow + x + xmin] * k[x];
                    }
                    tmp[dstRow + xx] = (float) ss;
                }
            }
        } else {
            tmp = src;
            tmpAt = srcAt + rowFirst * w;
            tmpW = w;
        }
        if (vertical) {
            for (int yy = 0; yy < outH; yy++) {
                int ymin = cv.first()[yy] - rowFirst;
                double[] k = cv.weights()[yy];
                int dstRow = dstAt + yy * outW;
                for (int xx = 0; xx < outW; xx++) {
                    double ss = 0.0;
                    for (int y = 0; y < k.length; y++) {
                        ss += tmp[tmpAt + (y + ymin) * tmpW + xx] * k[y];
                    }
                    dst[dstRow + xx] = (float) ss;
                }
            }
        } else {
            for (int yy = 0; yy < outH; yy++) {
                System.arraycopy(tmp, tmpAt + yy * tmpW, dst, dstAt + yy * outW, outW);
            }
        }
    }
}
