package dev.spikevae.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One axis of a {@link LinePlot}: its range in axis coordinates (log10 of the value on a log axis) and its ticks
 * at "nice" values (1, 2 or 5 times a power of ten; whole decades on a log axis spanning two or more).
 */
final class Axis {
    private static final int TARGET_TICKS = 6;
    private static final int MAX_TICKS = 40;
    /** Room left between the data and the frame, as a fraction of the data range. */
    private static final double PADDING = 0.04;

    private final double lo;
    private final double hi;
    private final boolean log;
    private final boolean empty;
    private final List<LinePlot.Tick> ticks;

    private Axis(double lo, double hi, boolean log, boolean empty) {
        this.lo = lo;
        this.hi = hi;
        this.log = log;
        this.empty = empty;
        this.ticks = log ? logTicks(lo, hi) : linearTicks(lo, hi);
    }

    /** The axis that shows every drawable point of {@code series} (their y values if {@code vertical}). */
    static Axis fit(List<LinePlot.Series> series, boolean vertical, boolean log) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (LinePlot.Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (LinePlot.drawable(s, i, log)) {
                    double v = vertical ? (log ? Math.log10(s.y()[i]) : s.y()[i]) : s.x()[i];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            return new Axis(0, 1, log, true);
        }
        if (min == max) {
            double half = log ? 0.5 : (min == 0 ? 1 : Math.abs(min) * 0.1);
            return new Axis(min - half, max + half, log, false);
        }
        double pad = (max - min) * PADDING;
        if (Double.isFinite(pad) && Double.isFinite(min - pad) && Double.isFinite(max + pad)) {
            min -= pad;
            max += pad;
        }
        return new Axis(min, max, log, false);
    }

    boolean empty() {
        return empty;
    }

    List<LinePlot.Tick> ticks() {
        return ticks;
    }

    /** A data value in axis coordinates. */
    double transform(double value) {
        return log ? Math.log10(value) : value;
    }

    /** Where axis coordinate {@code p} lies between the ends, 0 at {@code lo} and 1 at {@code hi}. */
    double fraction(double p) {
        // Halved so that the differences cannot overflow even for ranges near Double.MAX_VALUE.
        return (p * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5);
    }

    static List<LinePlot.Tick> linearTicks(double lo, double hi) {
        List<LinePlot.Tick> out = new ArrayList<>();
        double step = niceStep((hi - lo) / TARGET_TICKS);
        double start = Math.ceil(lo / step) * step;
        if (!(step > 0) || !Double.isFinite(start) || start + step == start) {
            // The range is too wide or too narrow for stepping: label the ends.
            out.add(new LinePlot.Tick(lo, format(lo, Math.abs(hi - lo))));
            out.add(new LinePlot.Tick(hi, format(hi, Math.abs(hi - lo))));
            return out;
        }
        for (int i = 0; i < MAX_TICKS; i++) {
            double v = start + i * step;
            if (v > hi + step * 1e-9) {
                break;
            }
            if (Math.abs(v) < step * 1e-9) {
                v = 0;
            }
            out.add(new LinePlot.Tick(v, format(v, step)));
        }
        return out;
    }

    static List<LinePlot.Tick> logTicks(double lo, double hi) {
        int first = (int) Math.ceil(lo);
        int last = (int) Math.floor(hi);
        List<LinePlot.Tick> out = new ArrayList<>();
        int decades = last - first + 1;
        if (decades >= 2 && decades <= 3) {
            // Few decades: whole decades alone would leave two or three ticks, so add 2 and 5 times each.
            for (int k = first - 1; k <= last; k++) {
                for (int m : new int[] {1, 2, 5}) {
                    double p = k + Math.log10(m);
                    if (p >= lo && p <= hi) {
                        out.add(new LinePlot.Tick(p, m == 1 ? decade(k) : format(m * Math.pow(10, k), Math.pow(10, k))));
                    }
                }
            }
            return out;
        }
        if (decades >= 2) {
            int every = Math.max(1, (decades + 7) / 8);
            for (int k = first; k <= last; k += every) {
                out.add(new LinePlot.Tick(k, decade(k)));
            }
            return out;
        }
        // Less than two decades visible: nice linear values, placed logarithmically.
        for (LinePlot.Tick t : linearTicks(Math.pow(10, lo), Math.pow(10, hi))) {
            if (t.position() > 0) {
                out.add(new LinePlot.Tick(Math.log10(t.position()), t.label()));
            }
        }
        return out;
    }

    /** 1, 2 or 5 times a power of ten, the closest to {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return Double.NaN;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / magnitude;
        double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
        return nice * magnitude;
    }

    /** A tick label with as many decimals as the step needs; scientific notation for very large or small values. */
    static String format(double v, double step) {
        v += 0.0; // -0 would print as "-0.0"
        double a = Math.abs(v);
        if (v != 0 && (a >= 1e6 || a < 1e-4)) {
            String s = String.format(Locale.ROOT, "%.3e", v);
            int e = s.indexOf('e');
            String mantissa = s.substring(0, e).replaceAll("\\.?0+$", "");
            int exponent = Integer.parseInt(s.substring(e + 1));
            return mantissa + "e" + exponent;
        }
        int decimals = step > 0 && Double.isFinite(step)
                ? Math.max(0, Math.min(10, (int) Math.ceil(-Math.log10(step) - 1e-9))) : 3;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String decade(int k) {
        if (k >= 0 && k <= 5) {
            return String.format(Locale.ROOT, "%.0f", Math.pow(10, k));
        }
        if (k < 0 && k >= -4) {
            return String.format(Locale.ROOT, "%." + (-k) + "f", Math.pow(10, k));
        }
        return "1e" + k;
    }
}
