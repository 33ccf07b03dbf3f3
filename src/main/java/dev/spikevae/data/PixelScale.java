package dev.spikevae.data;

/**
 * The reference's pixel scaling: {@code ToTensor} divides the 8-bit value by 255 in float32, then the
 * images are mapped to [-1, 1] with {@code 2x - 1}. A 256-entry table gives the same float32 results.
 */
final class PixelScale {
    private static final float[] SIGNED = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SIGNED[v] = 2f * (v / 255f) - 1f;
        }
    }

    private PixelScale() {
    }

    /** The value in [-1, 1] of an 8-bit pixel value 0..255. */
    static float signed(int value) {
        return SIGNED[value];
    }

    /**
     * Writes a {@code height x width} 8-bit plane from {@code src[srcOffset]} as floats in [-1, 1] to
     * {@code dst[dstOffset]}, mirrored left to right when {@code flip}.
     */
    static void writePlane(byte[] src, int srcOffset, int height, int width, float[] dst, int dstOffset,
                           boolean flip) {
        for (int y = 0; y < height; y++) {
            int s = srcOffset + y * width;
            int d = dstOffset + y * width;
            if (flip) {
                for (int x = 0; x < width; x++) {
                    dst[d + width - 1 - x] = SIGNED[src[s + x] & 0xFF];
                }
            } else {
                for (int x = 0; x < width; x++) {
                    dst[d + x] = SIGNED[src[s + x] & 0xFF];
                }
            }
        }
    }
}
