package dev.spikevae.train;

import dev.spikevae.io.LinePlot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code plots/loss.png}: training loss over steps (as logged by {@link MetricsLog}) and the test loss and
 * test MSE per epoch, redrawn after every epoch.
 */
public final class LossCurve implements TrainListener {
    private final Path file;
    private final MetricsLog metrics;
    private final String title;

    public LossCurve(Path file, MetricsLog metrics, String title) {
        this.file = file;
        this.metrics = metrics;
        this.title = title;
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) throws IOException {
        draw(c.batchesPerEpoch());
    }

    void draw(int batchesPerEpoch) throws IOException {
        List<Map<String, Double>> steps = metrics.stepRows();
        List<Map<String, Double>> epochs = metrics.epochRows();
        List<LinePlot.Series> series = new ArrayList<>();
        series.add(series("train loss", steps, "step", "loss"));
        series.add(series("test loss (end of epoch)", epochs, "step", "test_loss"));
        series.add(series("test MSE (end of epoch)", epochs, "step", "test_mse"));
        LinePlot.write(file, title, "step (" + batchesPerEpoch + " per epoch)", "loss (log scale)", series, true);
    }

    private static LinePlot.Series series(String name, List<Map<String, Double>> rows, String x, String y) {
        double[] xs = new double[rows.size()];
        double[] ys = new double[rows.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = rows.get(i).getOrDefault(x, Double.NaN);
            ys[i] = rows.get(i).getOrDefault(y, Double.NaN);
        }
        return new LinePlot.Series(name, xs, ys);
    }
}
