package dev.spikevae.data;

/**
 * Bilinear image resampling exactly as Pillow's {@code Image.resize(size, BILINEAR)} does it, which is what
 * the reference's {@code transforms.Resize} runs on its PIL images.
 *
 * <h2>The filter</h2>
 * Each output pixel {@code i} of an axis is centred at {@code c = (i + 0.5) * s} in input coordinates, with
 * {@code s = in / out}. It averages the input pixels {@code j} (centred at {@code j + 0.5}) with weights
 * {@code tri((j + 0.5 - c) / f)}, where {@code tri(x) = max(0, 1 - |x|)} and {@code f = max(1, s)}; the
 * weights are normalised to sum to 1, and input pixels outside the image are simply left out (which is
 * the same as clamping to the edge).
 * <ul>
 *   <li><b>Upscaling</b> ({@code f = 1}): at most two taps, {@code 1 - frac} and {@code frac} — exactly
 *       bilinear interpolation with {@code align_corners = false} (PyTorch's {@code interpolate}).</li>
 *   <li><b>Downscaling</b> ({@code f = s > 1}): the triangle is stretched to half-width {@code s}, so every
 *       input pixel contributes (an antialiasing filter); plain bilinear sampling would skip pixels and
 *       alias. CelebA's 148 to 64 uses up to 5 taps per output pixel.</li>
 * </ul>
 * The tap range follows Pillow's rounding: {@code [(int)(c - support + 0.5), (int)(c + support + 0.5))},
 * clipped to the image, with {@code support = f}.
 *
 * <h2>Two paths</h2>
 * <ul>
 *   <li>{@link #apply(byte[], int, byte[], int)}: 8-bit planes as Pillow resamples modes L and RGB — the
 *       weights become fixed-point integers with 22 fractional bits (rounded half away from zero), each
 *       sum starts at one half and is shifted back and clipped to 0..255; the horizontal pass runs first
 *       and its result is rounded to 8 bits before the vertical pass. This is bit-exact with Pillow.</li>
 *   <li>{@link #apply(float[], int, float[], int)}: float planes as Pillow's mode F does it — double
 *       weights, double sums, float between the passes.</li>
 * </ul>
 * An axis whose size does not change is not resampled (the filter would be the identity anyway).
 * Instances are immutable and thread-safe; each call allocates its own small intermediate plane.
 */
public final class Resize {
    /** Fractional bits of Pillow's 8-bit fixed-point weights: {@code 32 - 8 - 2}. */
    static final int PRECISION_BITS = 22;

    private final int inWidth;
    private final int inHeight;
    private final int outWidth;
    private final int outHeight;
    private final Axis horizontal;
    private final Axis vertical;

    private Resize(int inWidth, int inHeight, int outWidth, int outHeight) {
        this.inWidth = inWidth;
        this.inHeight = inHeight;
        this.outWidth = outWidth;
        this.outHeight = outHeight;
        this.horizontal = inWidth == outWidth ? null : Axis.bilinear(inWidth, outWidth);
        this.vertical = inHeight == outHeight ? null : Axis.bilinear(inHeight, outHeight);
    }

    /** A resampler from {@code inWidth x inHeight} to {@code outWidth x outHeight} planes. */
    public static Resize bilinear(int inWidth, int inHeight, int outWidth, int outHeight) {
        if (inWidth <= 0 || inHeight <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("resize " + inWidth + "x" + inHeight + " to " + outWidth + "x"
                    + outHeight + ": sizes must be positive");
        }
        return new Resize(inWidth, inHeight, outWidth, outHeight);
    }

    public int inWidth() {
        return inWidth;
    }

    public int inHeight() {
        return inHeight;
    }

    public int outWidth() {
        return outWidth;
    }

    public int outHeight() {
        return outHeight;
    }

    /**
     * Resamples one 8-bit plane ({@code inHeight} rows of {@code inWidth} bytes from {@code srcOffset})
     * into {@code dst} from {@code dstOffset}, bit-exact with Pillow.
     */
    public void apply(byte[] src, int srcOffset, byte[] dst, int dstOffset) {
        byte[] rows = src;
        int rowsOffset = srcOffset;
        if (horizontal != null) {
            rows = new byte[outWidth * inHeight];
            rowsOffset = 0;
            for (int y = 0; y < inHeight; y++) {
                horizontal.resampleU8(src, srcOffset + y * inWidth, 1, rows, y * outWidth, 1);
            }
        }
        if (vertical != null) {
            for (int x = 0; x < outWidth; x++) {
                vertical.resampleU8(rows, rowsOffset + x, outWidth, dst, dstOffset + x, outWidth);
            }
        } else {
            System.arraycopy(rows, rowsOffset, dst, dstOffset, outWidth * outHeight);
        }
    }

    /** Resamples one float plane like Pillow's mode F (double weights and sums, float between passes). */
    public void apply(float[] src, int srcOffset, float[] dst, int dstOffset) {
        float[] rows = src;
        int rowsOffset = srcOffset;
        if (horizontal != null) {
            rows = new float[outWidth * inHeight];
            rowsOffset = 0;
            for (int y = 0; y < inHeight; y++) {
                horizontal.resampleF32(src, srcOffset + y * inWidth, 1, rows, y * outWidth, 1);
            }
        }
        if (vertical != null) {
            for (int x = 0; x < outWidth; x++) {
                vertical.resampleF32(rows, rowsOffset + x, outWidth, dst, dstOffset + x, outWidth);
            }
        } else {
            System.arraycopy(rows, rowsOffset, dst, dstOffset, outWidth * outHeight);
        }
    }

    /**
     * The precomputed filter of one axis: output pixel {@code i} reads input pixels
     * {@code first[i] .. first[i] + count[i] - 1} with weights {@code weights[i * taps + k]} (double) or
     * {@code fixed[i * taps + k]} (Pillow's 8-bit fixed point).
     */
    static final class Axis {
        final int inSize;
        final int outSize;
        final int taps;
        final int[] first;
        final int[] count;
        final double[] weights;
        final int[] fixed;

        private Axis(int inSize, int outSize, int taps) {
            this.inSize = inSize;
            this.outSize = outSize;
            this.taps = taps;
            this.first = new int[outSize];
            this.count = new int[outSize];
            this.weights = new double[outSize * taps];
            this.fixed = new int[outSize * taps];
        }

        static Axis bilinear(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle's half-width is 1 before stretching
            double inverse = 1.0 / filterScale; // Pillow multiplies by the reciprocal; keep its rounding
            Axis a = new Axis(inSize, outSize, (int) Math.ceil(support) * 2 + 1);
            for (int i = 0; i < outSize; i++) {
                double centre = (i + 0.5) * scale;
                // (int) truncates toward zero, as Pillow's C cast does; negative starts are clipped anyway.
                int lo = Math.max(0, (int) (centre - support + 0.5));
                int hi = Math.min(inSize, (int) (centre + support + 0.5));
                int n = hi - lo;
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    double w = triangle((k + lo - centre + 0.5) * inverse);
                    a.weights[i * a.taps + k] = w;
                    sum += w;
                }
                for (int k = 0; k < n; k++) {
                    int at = i * a.taps + k;
                    if (sum != 0) {
                        a.weights[at] /= sum;
                    }
                    double scaled = a.weights[at] * (1 << PRECISION_BITS);
                    a.fixed[at] = (int) (scaled < 0 ? scaled - 0.5 : scaled + 0.5);
                }
                a.first[i] = lo;
                a.count[i] = n;
            }
            return a;
        }

        private static double triangle(double x) {
            double ax = Math.abs(x);
            return ax < 1.0 ? 1.0 - ax : 0.0;
        }

        /** One line of 8-bit pixels: input element j at {@code in[inOffset + j * inStride]}. */
        void resampleU8(byte[] in, int inOffset, int inStride, byte[] out, int outOffset, int outStride) {
            for (int i = 0; i < outSize; i++) {
                int sum = 1 << (PRECISION_BITS - 1);
                int base = i * taps;
                int p = inOffset + first[i] * inStride;
                for (int k = 0; k < count[i]; k++, p += inStride) {
                    sum += (in[p] & 0xFF) * fixed[base + k];
                }
                out[outOffset + i * outStride] = (byte) clip8(sum);
            }
        }

        /** One line of float pixels, as Pillow's mode F: double sums rounded to float. */
        void resampleF32(float[] in, int inOffset, int inStride, float[] out, int outOffset, int outStride) {
            for (int i = 0; i < outSize; i++) {
                double sum = 0;
                int base = i * taps;
                int p = inOffset + first[i] * inStride;
                for (int k = 0; k < count[i]; k++, p += inStride) {
                    sum += in[p] * weights[base + k];
                }
                out[outOffset + i * outStride] = (float) sum;
            }
        }

        private static int clip8(int sum) {
            if (sum >= (1 << PRECISION_BITS << 8)) {
                return 255;
            }
            if (sum <= 0) {
                return 0;
            }
            return sum >> PRECISION_BITS;
        }
    }
}
