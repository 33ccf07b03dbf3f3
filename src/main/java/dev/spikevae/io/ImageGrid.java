package dev.spikevae.io;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** PNG grids of images (reconstructions, samples), laid out like torchvision's make_grid. */
public final class ImageGrid {

    static {
        Png.ensureHeadless();
    }

    /** Padding between and around the tiles, in output pixels. */
    public static final int PADDING = 2;
    /** The padding's grey level: light, so that dark digits on black stay distinguishable from the frame. */
    public static final int PADDING_LEVEL = 224;

    private ImageGrid() {}

    /**
     * Writes a PNG grid of the first {@code n} images of {@code images} (NCHW floats in [-1, 1]; values are clamped,
     * NaN shows as -1; {@code c} = 1 grey or 3 RGB) with {@code columns} per row (fewer if {@code n} is smaller)
     * and a {@value #PADDING}-pixel light border and padding; {@code scale} is an integer upscaling factor
     * (nearest neighbour, >= 1). Atomic write.
     */
    public static void write(Path file, float[] images, int n, int c, int h, int w, int columns, int scale)
            throws IOException {
        Png.write(file, render(images, n, c, h, w, columns, scale));
    }

    /** The grid as an image (grey: TYPE_BYTE_GRAY, RGB: TYPE_INT_RGB). */
    public static BufferedImage render(float[] images, int n, int c, int h, int w, int columns, int scale) {
        if (images == null) {
            throw new IllegalArgumentException("ImageGrid: images is null");
        }
        if (n < 1 || h < 1 || w < 1 || columns < 1 || scale < 1) {
            throw new IllegalArgumentException("ImageGrid: n, h, w, columns and scale must be >= 1, got n=" + n
                    + " h=" + h + " w=" + w + " columns=" + columns + " scale=" + scale);
        }
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("ImageGrid: c must be 1 (grey) or 3 (RGB), got " + c);
        }
        long needed = (long) n * c * h * w;
        if (images.length < needed) {
            throw new IllegalArgumentException("ImageGrid: " + n + " images of " + c + "x" + h + "x" + w + " need "
                    + needed + " values, got " + images.length);
        }
        int cols = Math.min(columns, n);
        int rows = (n + cols - 1) / cols;
        int tileW = Math.multiplyExact(w, scale);
        int tileH = Math.multiplyExact(h, scale);
        long width = (long) cols * (tileW + PADDING) + PADDING;
        long height = (long) rows * (tileH + PADDING) + PADDING;
        if (width * height > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("ImageGrid: a " + width + "x" + height + " image is too large");
        }
        BufferedImage image = new BufferedImage((int) width, (int) height,
                c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        // Raster samples, not setRGB: a grey image's setRGB goes through a colour-space conversion that shifts
        // mid-tones, and the grid must hold exactly the levels computed here.
        WritableRaster raster = image.getRaster();
        int bands = raster.getNumBands();
        fillGrey(raster, PADDING_LEVEL);
        int plane = h * w;
        int[] row = new int[tileW * bands];
        for (int k = 0; k < n; k++) {
            int x0 = PADDING + (k % cols) * (tileW + PADDING);
            int y0 = PADDING + (k / cols) * (tileH + PADDING);
            int base = k * c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int b = 0; b < bands; b++) {
                        int level = level(images[base + b * plane + y * w + x]);
                        for (int s = 0; s < scale; s++) {
                            row[(x * scale + s) * bands + b] = level;
                        }
                    }
                }
                for (int s = 0; s < scale; s++) {
                    raster.setPixels(x0, y0 + y * scale + s, tileW, 1, row);
                }
            }
        }
        return image;
    }

    /** Maps [-1, 1] to 0..255 (rounded); outside values are clamped and NaN is treated as -1. */
    static int level(float v) {
        if (!(v > -1f)) {
            return 0;
        }
        if (v >= 1f) {
            return 255;
        }
        return Math.round((v + 1f) * 127.5f);
    }

    private static void fillGrey(WritableRaster raster, int level) {
        int[] line = new int[raster.getWidth() * raster.getNumBands()];
        Arrays.fill(line, level);
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.setPixels(0, y, raster.getWidth(), 1, line);
        }
    }
}
