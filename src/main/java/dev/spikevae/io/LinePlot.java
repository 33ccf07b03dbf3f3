package dev.spikevae.io;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * PNG line charts of training curves: axes with ticks and labels, a title, a legend, one colour per series and an
 * optional log-scale y axis. Points that cannot be drawn (NaN, infinite, or y <= 0 on a log axis) are skipped
 * and break the line; a point with no drawable neighbour is drawn as a dot.
 */
public final class LinePlot {

    static {
        Png.ensureHeadless();
    }

    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    /** The ten colours of matplotlib's default cycle ("tab10"), distinguishable and colour-blind tolerable. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };
    private static final int MARGIN_LEFT = 84;
    private static final int MARGIN_RIGHT = 24;
    private static final int MARGIN_TOP = 44;
    private static final int MARGIN_BOTTOM = 58;
    private static final Color GRID = new Color(0xe6e6e6);

    /** One named curve; {@code x} and {@code y} have the same length. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (name == null || x == null || y == null) {
                throw new IllegalArgumentException("LinePlot.Series: name, x and y must not be null");
            }
            if (x.length != y.length) {
                throw new IllegalArgumentException("LinePlot.Series " + name + ": x has " + x.length
                        + " values but y has " + y.length);
            }
        }
    }

    private LinePlot() {}

    /** Writes a {@value #WIDTH}×{@value #HEIGHT} PNG chart of {@code series}, atomically. */
    public static void write(Path file, String title, String xLabel, String yLabel, List<Series> series, boolean logY)
            throws IOException {
        Png.write(file, render(WIDTH, HEIGHT, title, xLabel, yLabel, series, logY));
    }

    /** The chart as an RGB image of the given size. */
    public static BufferedImage render(int width, int height, String title, String xLabel, String yLabel,
            List<Series> series, boolean logY) {
        if (width < MARGIN_LEFT + MARGIN_RIGHT + 40 || height < MARGIN_TOP + MARGIN_BOTTOM + 40) {
            throw new IllegalArgumentException("LinePlot: a " + width + "x" + height + " chart is too small");
        }
        if (series == null) {
            throw new IllegalArgumentException("LinePlot: series list is null");
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            Rectangle2D.Double area = new Rectangle2D.Double(MARGIN_LEFT, MARGIN_TOP,
                    width - MARGIN_LEFT - MARGIN_RIGHT, height - MARGIN_TOP - MARGIN_BOTTOM);
            Axis x = Axis.fit(series, false, false);
            Axis y = Axis.fit(series, true, logY);
            drawGridAndTicks(g, area, x, y);
            drawCurves(g, area, x, y, series, logY);
            drawFrameAndLabels(g, area, width, height, title, xLabel, yLabel);
            if (x.empty()) {
                drawCentred(g, "no data", area.getCenterX(), area.getCenterY(), Color.GRAY);
            }
            drawLegend(g, area, series);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void drawGridAndTicks(Graphics2D g, Rectangle2D.Double area, Axis x, Axis y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (Tick t : x.ticks()) {
            double px = area.x + x.fraction(t.position()) * area.width;
            g.setColor(GRID);
            g.draw(new Line2D.Double(px, area.y, px, area.y + area.height));
            g.setColor(Color.DARK_GRAY);
            g.draw(new Line2D.Double(px, area.y + area.height, px, area.y + area.height + 5));
            g.drawString(t.label(), (float) (px - fm.stringWidth(t.label()) / 2.0),
                    (float) (area.y + area.height + 8 + fm.getAscent()));
        }
        for (Tick t : y.ticks()) {
            double py = area.y + (1 - y.fraction(t.position())) * area.height;
            g.setColor(GRID);
            g.draw(new Line2D.Double(area.x, py, area.x + area.width, py));
            g.setColor(Color.DARK_GRAY);
            g.draw(new Line2D.Double(area.x - 5, py, area.x, py));
            g.drawString(t.label(), (float) (area.x - 8 - fm.stringWidth(t.label())),
                    (float) (py + (fm.getAscent() - fm.getDescent()) / 2.0));
        }
    }

    private static void drawCurves(Graphics2D g, Rectangle2D.Double area, Axis x, Axis y, List<Series> series,
            boolean logY) {
        g.setClip(area);
        g.setStroke(new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int s = 0; s < series.size(); s++) {
            Series sr = series.get(s);
            g.setColor(PALETTE[s % PALETTE.length]);
            int n = sr.x().length;
            for (int i = 0; i < n; i++) {
                if (!drawable(sr, i, logY)) {
                    continue;
                }
                double px = area.x + x.fraction(sr.x()[i]) * area.width;
                double py = area.y + (1 - y.fraction(y.transform(sr.y()[i]))) * area.height;
                boolean next = i + 1 < n && drawable(sr, i + 1, logY);
                boolean previous = i > 0 && drawable(sr, i - 1, logY);
                if (next) {
                    double qx = area.x + x.fraction(sr.x()[i + 1]) * area.width;
                    double qy = area.y + (1 - y.fraction(y.transform(sr.y()[i + 1]))) * area.height;
                    g.draw(new Line2D.Double(px, py, qx, qy));
                } else if (!previous) {
                    g.fill(new Ellipse2D.Double(px - 2.5, py - 2.5, 5, 5));
                }
            }
        }
        g.setClip(null);
    }

    private static void drawFrameAndLabels(Graphics2D g, Rectangle2D.Double area, int width, int height,
            String title, String xLabel, String yLabel) {
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.draw(area);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        drawCentred(g, title, width / 2.0, MARGIN_TOP / 2.0, Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        drawCentred(g, xLabel, area.getCenterX(), height - 14, Color.BLACK);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        // In the rotated frame, (x, y) is (-screenY, screenX).
        drawCentred(g, yLabel, -area.getCenterY(), 18, Color.BLACK);
        g.setTransform(saved);
    }

    private static void drawLegend(Graphics2D g, Rectangle2D.Double area, List<Series> series) {
        if (series.isEmpty()) {
            return;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int line = fm.getHeight() + 2;
        int textWidth = 0;
        for (Series s : series) {
            textWidth = Math.max(textWidth, fm.stringWidth(s.name()));
        }
        double boxW = 10 + 24 + 6 + textWidth + 10;
        double boxH = 8 + line * series.size() + 4;
        double bx = area.x + area.width - boxW - 8;
        double by = area.y + 8;
        g.setColor(new Color(255, 255, 255, 225));
        g.fill(new Rectangle2D.Double(bx, by, boxW, boxH));
        g.setColor(Color.LIGHT_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.draw(new Rectangle2D.Double(bx, by, boxW, boxH));
        for (int s = 0; s < series.size(); s++) {
            double cy = by + 6 + line * s + line / 2.0;
            g.setColor(PALETTE[s % PALETTE.length]);
            g.setStroke(new BasicStroke(2.5f));
            g.draw(new Line2D.Double(bx + 10, cy, bx + 34, cy));
            g.setColor(Color.BLACK);
            g.drawString(series.get(s).name(), (float) (bx + 40), (float) (cy + (fm.getAscent() - fm.getDescent()) / 2.0));
        }
    }

    private static void drawCentred(Graphics2D g, String text, double cx, double cy, Color color) {
        if (text == null || text.isEmpty()) {
            return;
        }
        FontMetrics fm = g.getFontMetrics();
        g.setColor(color);
        g.drawString(text, (float) (cx - fm.stringWidth(text) / 2.0),
                (float) (cy + (fm.getAscent() - fm.getDescent()) / 2.0));
    }

    static boolean drawable(Series s, int i, boolean logY) {
        double x = s.x()[i];
        double y = s.y()[i];
        return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    /** A tick: where it sits (in axis coordinates, log10 for a log axis) and its label. */
    record Tick(double position, String label) {}
}
