package dev.spikevae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePlotTest {

    @TempDir
    Path dir;

    private static final int FIRST_COLOUR = 0x1f77b4;
    private static final int SECOND_COLOUR = 0xff7f0e;

    private static BufferedImage readBack(Path f) throws IOException {
        BufferedImage image = ImageIO.read(f.toFile());
        assertNotNull(image, "ImageIO could not read " + f);
        return image;
    }

    /** Pixels of exactly {@code rgb} inside the plot area (the legend swatches excluded by the caller's count). */
    private static int count(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private static double[] range(int n, double from, double step) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = from + i * step;
        }
        return v;
    }

    @Test
    void writesReadablePngOfTheRightSizeWithEachSeriesDrawn() throws IOException {
        double[] x = range(100, 0, 1);
        double[] loss = new double[100];
        double[] val = new double[100];
        for (int i = 0; i < 100; i++) {
            loss[i] = 1.0 / (1 + i);
            val[i] = 1.5 / (1 + i) + 0.01;
        }
        Path f = dir.resolve("loss.png");
        LinePlot.write(f, "Training loss", "epoch", "loss",
                List.of(new LinePlot.Series("train", x, loss), new LinePlot.Series("validation", x, val)), false);
        BufferedImage image = readBack(f);
        assertEquals(LinePlot.WIDTH, image.getWidth());
        assertEquals(LinePlot.HEIGHT, image.getHeight());
        // Curves are long: far more pixels of each colour than the 24-pixel legend swatch holds.
        assertTrue(count(image, FIRST_COLOUR) > 200, "first series drawn");
        assertTrue(count(image, SECOND_COLOUR) > 200, "second series drawn");
        assertEquals(0xffffff, image.getRGB(LinePlot.WIDTH - 3, 3) & 0xffffff, "white background");
    }

    @Test
    void survivesNaNInfinityEmptyAndSinglePointSeries() throws IOException {
        double[] y = {1, Double.NaN, 3, Double.POSITIVE_INFINITY, 2, Double.NEGATIVE_INFINITY};
        List<LinePlot.Series> series = List.of(
                new LinePlot.Series("gappy", range(6, 0, 1), y),
                new LinePlot.Series("empty", new double[0], new double[0]),
                new LinePlot.Series("single", new double[] {2.5}, new double[] {1.5}),
                new LinePlot.Series("x NaN", new double[] {Double.NaN, 1}, new double[] {1, 2}));
        for (boolean logY : new boolean[] {false, true}) {
            Path f = dir.resolve("odd-" + logY + ".png");
            LinePlot.write(f, "odd", "x", "y", series, logY);
            BufferedImage image = readBack(f);
            assertEquals(LinePlot.WIDTH, image.getWidth());
            assertTrue(count(image, FIRST_COLOUR) > 24, "segments between the finite points are drawn");
        }
    }

    @Test
    void survivesNoDrawablePointsAtAll() throws IOException {
        List<List<LinePlot.Series>> cases = List.of(
                List.of(),
                List.of(new LinePlot.Series("empty", new double[0], new double[0])),
                List.of(new LinePlot.Series("nan", new double[] {1, 2}, new double[] {Double.NaN, Double.NaN})),
                List.of(new LinePlot.Series("flat", new double[] {1, 1}, new double[] {0, 0})));
        int i = 0;
        for (List<LinePlot.Series> series : cases) {
            for (boolean logY : new boolean[] {false, true}) {
                Path f = dir.resolve("none" + i++ + ".png");
                LinePlot.write(f, "", "", "", series, logY);
                assertEquals(LinePlot.HEIGHT, readBack(f).getHeight());
            }
        }
    }

    @Test
    void logScaleSkipsNonPositiveValuesAndSpansDecades() throws IOException {
        double[] y = {1e-4, 1e-3, 0, -1, 1e-1, 1};
        Path f = dir.resolve("log.png");
        LinePlot.write(f, "log", "step", "loss", List.of(new LinePlot.Series("s", range(6, 1, 1), y)), true);
        assertTrue(count(readBack(f), FIRST_COLOUR) > 24);
        List<LinePlot.Tick> ticks = Axis.logTicks(-4.2, 0.2);
        assertEquals(List.of(-4.0, -3.0, -2.0, -1.0, 0.0), ticks.stream().map(LinePlot.Tick::position).toList());
        assertEquals(List.of("0.0001", "0.001", "0.01", "0.1", "1"),
                ticks.stream().map(LinePlot.Tick::label).toList());
        assertEquals(List.of("0.01", "0.02", "0.05", "0.1"),
                Axis.logTicks(-2.05, -0.95).stream().map(LinePlot.Tick::label).toList(), "few decades get 2x and 5x");
        assertEquals("1e-7", Axis.decade(-7));
        assertEquals("100000", Axis.decade(5));
        assertEquals("1e6", Axis.decade(6));
    }

    @Test
    void linearTicksAreNiceAndCoverTheRange() {
        List<LinePlot.Tick> ticks = Axis.linearTicks(-0.13, 1.07);
        List<String> labels = ticks.stream().map(LinePlot.Tick::label).toList();
        assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), labels);
        assertEquals(List.of("0", "200", "400", "600", "800", "1000"),
                Axis.linearTicks(0, 1000).stream().map(LinePlot.Tick::label).toList());
        assertEquals(5.0, Axis.niceStep(4.2));
        assertEquals(0.02, Axis.niceStep(0.021), 1e-15);
        assertEquals(1.0, Axis.niceStep(1.2));
        assertEquals("2.5e-7", Axis.format(2.5e-7, 1e-7));
        assertEquals("3e6", Axis.format(3e6, 1e6));
        // A range too narrow to step through still yields ticks instead of looping forever.
        assertTrue(Axis.linearTicks(1e16, 1e16 + 2).size() >= 2);
        assertTrue(Axis.linearTicks(-Double.MAX_VALUE, Double.MAX_VALUE).size() >= 2);
    }

    @Test
    void seriesMustHaveMatchingLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LinePlot.Series("loss", new double[3], new double[4]));
        assertTrue(e.getMessage().contains("loss") && e.getMessage().contains("3") && e.getMessage().contains("4"),
                e.getMessage());
    }
}
