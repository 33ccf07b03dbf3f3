package dev.spikevae.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG and JPEG with {@code javax.imageio} (headless, no disk cache) and hands out 8-bit planes.
 * Sample values are taken from the raster as stored, without colour management, as Pillow does.
 */
final class ImageDecoding {
    static {
        // ImageIO pulls in AWT classes; a training server has no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ImageDecoding() {
    }

    /** Decodes an encoded image; {@code source} names it in errors. */
    static BufferedImage decode(byte[] encoded, String source) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(source + ": not an image format ImageIO can read (" + encoded.length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException d) {
                throw d;
            }
            throw new DatasetException(source + ": corrupt image: " + e.getMessage(), e);
        }
    }

    /** The whole image as one 8-bit grey plane, row-major; the image must be 8-bit greyscale. */
    static byte[] greyPlane(BufferedImage image, String source) {
        Raster raster = image.getRaster();
        if (raster.getNumBands() != 1 || raster.getSampleModel().getSampleSize(0) != 8) {
            throw new DatasetException(source + ": expected an 8-bit greyscale image, found " + raster.getNumBands()
                    + " band(s) of " + raster.getSampleModel().getSampleSize(0) + " bits");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        byte[] out = new byte[w * h];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) samples[i];
        }
        return out;
    }

    /**
     * The region {@code (x0, y0, width, height)} as three 8-bit planes R, G, B into {@code dst}
     * ({@code 3 * width * height} bytes, CHW). A greyscale image gives three equal planes.
     */
    static void rgbPlanes(BufferedImage image, int x0, int y0, int width, int height, byte[] dst) {
        Raster raster = image.getRaster();
        int plane = width * height;
        int bands = raster.getNumBands();
        boolean plain = image.getColorModel() instanceof ComponentColorModel
                && raster.getSampleModel().getSampleSize(0) == 8
                && (bands == 1 && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                    || bands == 3 && image.getColorModel().getColorSpace().isCS_sRGB());
        if (plain) {
            // Raster bands follow the colour model's components (R, G, B) whatever the byte order in memory.
            int[] samples = new int[plane];
            for (int c = 0; c < 3; c++) {
                raster.getSamples(x0, y0, width, height, bands == 1 ? 0 : c, samples);
                for (int i = 0; i < plane; i++) {
                    dst[c * plane + i] = (byte) samples[i];
                }
            }
            return;
        }
        int[] argb = image.getRGB(x0, y0, width, height, null, 0, width);
        for (int i = 0; i < plane; i++) {
            dst[i] = (byte) (argb[i] >>> 16);
            dst[plane + i] = (byte) (argb[i] >>> 8);
            dst[2 * plane + i] = (byte) argb[i];
        }
    }
}
