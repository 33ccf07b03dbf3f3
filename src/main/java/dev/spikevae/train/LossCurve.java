package dev.spikevae.train;

import dev.spikevae.io.LinePlot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code plots/loss.png}: training loss over steps (as logged by {@link MetricsLog}) and the test loss and
 * test MSE per epoch, redrawn after every epoch.
 */
public final class LossCurve implements TrainListener {
    private final Path file;
    private final MetricsLog metrics;

    public LossCurve(Path file, MetricsLog metrics) {
        this.file = file;
        this.metrics = metrics;
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) throws IOException {
        draw(c.batchesPerEpoch());
    }

    void draw(int batchesPerEpoch) throws IOException {
        List<double[]> steps = metrics.stepRows();
        List<double[]> epochs = metrics.epochRows();
        double[] sx = new double[steps.size()];
        double[] sy = new double[steps.size()];
        for (int i = 0; i < sx.length; i++) {
            sx[i] = steps.get(i)[0];
            sy[i] = steps.get(i)[2];
        }
        double[] ex = new double[epochs.size()];
        double[] testLoss = new double[epochs.size()];
        double[] testMse = new double[epochs.size()];
        for (int i = 0; i < ex.length; i++) {
            ex[i] = epochs.get(i)[1];
            testLoss[i] = epochs.get(i)[8];
            testMse[i] = epochs.get(i)[9];
        }
        List<LinePlot.Series> series = new ArrayList<>();
        series.add(new LinePlot.Series("train loss", sx, sy));
        series.add(new LinePlot.Series("test loss (end of epoch)", ex, testLoss));
        series.add(new LinePlot.Series("test MSE (end of epoch)", ex, testMse));
        LinePlot.write(file, "ESVAE training loss", "step (" + batchesPerEpoch + " per epoch)", "loss", series, true);
    }
}
