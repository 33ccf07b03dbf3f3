package dev.spikevae.train;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;

/**
 * A progress line per epoch: batches done, running loss, images/s and ETA. On a terminal it redraws in place;
 * otherwise (logs, CI) it prints a line about every tenth of an epoch.
 */
public final class ProgressBar implements TrainListener {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean interactive;
    private long epochStart;
    private final Map<String, Double> sums = new LinkedHashMap<>();
    private int images;
    private int lastDecile;

    public ProgressBar(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** Redraws in place when a console is attached. */
    public static ProgressBar forConsole(PrintStream out) {
        return new ProgressBar(out, System.console() != null);
    }

    @Override
    public void onBatchEnd(TrainContext c, StepMetrics s) {
        if (c.batch() == 1) {
            epochStart = System.nanoTime() - (long) (s.seconds() * 1e9);
            sums.clear();
            images = 0;
            lastDecile = 0;
        }
        s.values().forEach((k, v) -> sums.merge(k, v * s.images(), Double::sum));
        images += s.images();
        int decile = c.batch() * 10 / Math.max(1, c.batchesPerEpoch());
        boolean last = c.batch() == c.batchesPerEpoch();
        if (interactive || decile > lastDecile || last) {
            lastDecile = decile;
            out.print((interactive ? "\r" : "") + line(c) + (interactive && !last ? "" : "\n"));
            out.flush();
        }
    }

    String line(TrainContext c) {
        double elapsed = (System.nanoTime() - epochStart) / 1e9;
        int done = c.batch();
        int total = Math.max(1, c.batchesPerEpoch());
        int filled = (int) Math.round(WIDTH * (double) done / total);
        double rate = elapsed > 0 ? images / elapsed : 0;
        double eta = done > 0 ? elapsed * (total - done) / done : 0;
        StringBuilder values = new StringBuilder();
        sums.forEach((k, v) -> values.append(String.format(Locale.ROOT, "  %s %.5f", k, v / Math.max(1, images))));
        return String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d%s  %.1f img/s  ETA %s",
                c.epoch(), c.totalEpochs(), "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                values, rate, clock(eta));
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) {
        StringBuilder terms = new StringBuilder();
        m.train().forEach((k, v) -> {
            if (!k.equals("loss")) {
                terms.append(terms.length() == 0 ? " (" : ", ").append(String.format(Locale.ROOT, "%s %.5f", k, v));
            }
        });
        if (terms.length() > 0) {
            terms.append(')');
        }
        StringBuilder test = new StringBuilder();
        test.append(String.format(Locale.ROOT, "mse %.5f, loss %.5f", m.test().mse(), m.test().loss()));
        m.test().values().forEach((k, v) -> {
            if (!k.equals("mse") && !k.equals("loss")) {
                test.append(String.format(Locale.ROOT, ", %s %.4g", k, v));
            }
        });
        out.printf(Locale.ROOT, "epoch %d/%d done in %s: train loss %.5f%s, %.1f img/s; test %s%n", m.epoch(),
                c.totalEpochs(), clock(m.seconds()), m.train().getOrDefault("loss", Double.NaN), terms,
                m.imagesPerSecond(), test);
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
