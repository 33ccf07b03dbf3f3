package dev.spikevae.train;

import java.io.PrintStream;
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
    private double lossSum;
    private double mseSum;
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
            lossSum = 0;
            mseSum = 0;
            images = 0;
            lastDecile = 0;
        }
        lossSum += s.loss() * s.images();
        mseSum += s.mse() * s.images();
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
        return String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d  loss %.5f  mse %.5f  %.1f img/s  ETA %s",
                c.epoch(), c.totalEpochs(), "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                lossSum / Math.max(1, images), mseSum / Math.max(1, images), rate, clock(eta));
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) {
        EvalResult t = m.test();
        out.printf(Locale.ROOT, "epoch %d/%d done in %s: train loss %.5f (mse %.5f, mmd %.5f), %.1f img/s; "
                        + "test mse %.5f, loss %.5f, rate post %.3f, prior %.3f%n",
                m.epoch(), c.totalEpochs(), clock(m.seconds()), m.trainLoss(), m.trainMse(), m.trainMmd(),
                m.imagesPerSecond(), t.mse(), t.loss(), t.ratePosterior(), t.ratePrior());
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
