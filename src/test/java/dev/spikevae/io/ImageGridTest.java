package dev.spikevae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {

    @TempDir
    Path dir;

    private static BufferedImage readBack(Path f) throws IOException {
        BufferedImage image = ImageIO.read(f.toFile());
        assertNotNull(image, "ImageIO could not read " + f);
        return image;
    }

    @Test
    void greyGridHasTheRightSizeLevelsAndPadding() throws IOException {
        // Three 2x3 grey images, two per row: a 2x2 grid with one empty cell.
        int h = 2;
        int w = 3;
        float[] images = new float[3 * h * w];
        for (int k = 0; k < 3; k++) {
            float[] values = {-1f, 1f, 0f, -5f, 7f, Float.NaN};
            for (int i = 0; i < h * w; i++) {
                images[k * h * w + i] = k == 2 ? 1f : values[i];
            }
        }
        Path f = dir.resolve("grey.png");
        ImageGrid.write(f, images, 3, 1, h, w, 2, 1);
        BufferedImage image = readBack(f);
        assertEquals(2 * (w + 2) + 2, image.getWidth());
        assertEquals(2 * (h + 2) + 2, image.getHeight());
        Raster r = image.getRaster();
        assertEquals(1, r.getNumBands());
        // First tile at (2, 2): -1 -> 0, 1 -> 255, 0 -> 128 (127.5 rounded), clamped -5 -> 0, 7 -> 255, NaN -> 0.
        assertEquals(0, r.getSample(2, 2, 0));
        assertEquals(255, r.getSample(3, 2, 0));
        assertEquals(128, r.getSample(4, 2, 0));
        assertEquals(0, r.getSample(2, 3, 0));
        assertEquals(255, r.getSample(3, 3, 0));
        assertEquals(0, r.getSample(4, 3, 0));
        // Second tile starts after the first and 2 pixels of padding.
        assertEquals(0, r.getSample(2 + w + 2, 2, 0));
        // Third tile (second row) is all white.
        assertEquals(255, r.getSample(2, 2 + h + 2, 0));
        // Border, gaps and the empty cell are the light padding level.
        assertEquals(ImageGrid.PADDING_LEVEL, r.getSample(0, 0, 0));
        assertEquals(ImageGrid.PADDING_LEVEL, r.getSample(2 + w, 2, 0));
        assertEquals(ImageGrid.PADDING_LEVEL, r.getSample(image.getWidth() - 3, image.getHeight() - 3, 0));
    }

    @Test
    void rgbGridKeepsChannelsApartAndScales() throws IOException {
        // One 1x2 RGB image, planes R, G, B: pixel 0 is (1, -1, 0), pixel 1 is (-1, -1, 1).
        float[] image = {1f, -1f, -1f, -1f, 0f, 1f};
        Path f = dir.resolve("rgb.png");
        ImageGrid.write(f, image, 1, 3, 1, 2, 8, 3);
        BufferedImage back = readBack(f);
        assertEquals(2 * 3 + 4, back.getWidth(), "columns shrink to n; width = w * scale + 2 * padding");
        assertEquals(3 + 4, back.getHeight());
        Raster r = back.getRaster();
        assertEquals(3, r.getNumBands());
        for (int dy = 0; dy < 3; dy++) {
            for (int dx = 0; dx < 3; dx++) {
                assertEquals(255, r.getSample(2 + dx, 2 + dy, 0));
                assertEquals(0, r.getSample(2 + dx, 2 + dy, 1));
                assertEquals(128, r.getSample(2 + dx, 2 + dy, 2));
                assertEquals(0, r.getSample(5 + dx, 2 + dy, 0));
                assertEquals(0, r.getSample(5 + dx, 2 + dy, 1));
                assertEquals(255, r.getSample(5 + dx, 2 + dy, 2));
            }
        }
        assertEquals(ImageGrid.PADDING_LEVEL, r.getSample(8, 5, 1));
    }

    @Test
    void levelsRoundAndClamp() {
        assertEquals(0, ImageGrid.level(-1f));
        assertEquals(255, ImageGrid.level(1f));
        assertEquals(0, ImageGrid.level(Float.NEGATIVE_INFINITY));
        assertEquals(255, ImageGrid.level(Float.POSITIVE_INFINITY));
        assertEquals(191, ImageGrid.level(0.5f)); // 1.5 * 127.5 = 191.25
        for (int i = 0; i <= 1000; i++) {
            float v = -1f + i * 0.002f;
            int level = ImageGrid.level(v);
            assertTrue(Math.abs(level - (v + 1) * 127.5) <= 0.5 + 1e-4, "level of " + v);
        }
    }

    @Test
    void rejectsBadArguments() {
        Path f = dir.resolve("bad.png");
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(f, new float[8], 2, 2, 1, 2, 2, 1));
        assertTrue(c.getMessage().contains("c must be 1") && c.getMessage().contains("2"), c.getMessage());
        IllegalArgumentException len = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(f, new float[7], 2, 1, 2, 2, 2, 1));
        assertTrue(len.getMessage().contains("need 8") && len.getMessage().contains("7"), len.getMessage());
        IllegalArgumentException scale = assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(f, new float[8], 2, 1, 2, 2, 2, 0));
        assertTrue(scale.getMessage().contains("scale=0"), scale.getMessage());
        assertTrue(!f.toFile().exists());
    }
}
