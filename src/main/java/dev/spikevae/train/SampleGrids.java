package dev.spikevae.train;

import dev.spikevae.autograd.Tape;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.io.ImageGrid;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * After each epoch, PNG grids in {@code samples/}: test images (evenly spaced through the set) over their reconstructions
 * ({@code epoch-NNN-reconstructions.png}, rows alternate input / reconstruction) and images generated from
 * the prior ({@code epoch-NNN-samples.png}); {@code latest-*.png} copies point at the newest. Eval mode,
 * own RNG stream per epoch.
 */
public final class SampleGrids implements TrainListener {
    private static final int COLUMNS = 8;
    private final Path dir;
    private final ImageDataset test;
    private final int count;
    private final long seed;

    public SampleGrids(Path dir, ImageDataset test, int count, long seed) {
        this.dir = dir;
        this.test = test;
        this.count = Math.max(COLUMNS, count / COLUMNS * COLUMNS);
        this.seed = seed;
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) throws IOException {
        write(c.model(), String.format(Locale.ROOT, "epoch-%03d", m.epoch()), m.epoch());
    }

    /** Writes {@code <stem>-reconstructions.png} and {@code <stem>-samples.png} (and the latest-* copies). */
    public void write(GenerativeModel model, String stem, int epoch) throws IOException {
        boolean wasTraining = model.isTraining();
        model.train(false);
        StepContext context = StepContext.evaluation(new Rng(seed ^ 0x2545F4914F6CDD1DL, 1_000_000_000L * (epoch + 1)),
                epoch);
        int n = Math.min(count / 2, test.size());
        int chw = test.channels() * test.height() * test.width();
        try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope scope = MemoryScope.open()) {
            float[] inputs = new float[n * chw];
            for (int i = 0; i < n; i++) { // spread over the set: neighbouring test images are often one class
                test.read((int) ((long) i * test.size() / n), inputs, i * chw, false);
            }
            Tensor x = model.backend().fromHost(inputs, n, test.channels(), test.height(), test.width());
            float[] recon = model.forward(x, context).reconstruction().toHost();
            int rows = (n + COLUMNS - 1) / COLUMNS;
            float[] pairs = new float[2 * rows * COLUMNS * chw];
            for (int r = 0; r < rows; r++) {
                for (int col = 0; col < COLUMNS; col++) {
                    int i = r * COLUMNS + col;
                    if (i < n) {
                        System.arraycopy(inputs, i * chw, pairs, ((2 * r) * COLUMNS + col) * chw, chw);
                        System.arraycopy(recon, i * chw, pairs, ((2 * r + 1) * COLUMNS + col) * chw, chw);
                    }
                }
            }
            int scale = test.height() <= 32 ? 2 : 1;
            int cells = 2 * rows * COLUMNS;
            ImageGrid.write(dir.resolve(stem + "-reconstructions.png"), pairs, cells, test.channels(), test.height(),
                    test.width(), COLUMNS, scale);
            ImageGrid.write(dir.resolve("latest-reconstructions.png"), pairs, cells, test.channels(), test.height(),
                    test.width(), COLUMNS, scale);
            float[] samples = model.sample(count, context).toHost();
            ImageGrid.write(dir.resolve(stem + "-samples.png"), samples, count, test.channels(), test.height(),
                    test.width(), COLUMNS, scale);
            ImageGrid.write(dir.resolve("latest-samples.png"), samples, count, test.channels(), test.height(),
                    test.width(), COLUMNS, scale);
        } finally {
            model.train(wasTraining);
        }
    }
}
