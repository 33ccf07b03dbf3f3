package dev.spikevae.experiment;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.io.ImageGrid;
import dev.spikevae.io.LinePlot;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.model.SpikingLatent;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How robust a model's decoder is to disturbed latent spikes — the noise figure of the paper, reconstructed from the
 * figure itself (its text is unavailable; docs/reference.md §7.3): the latent spike trains the decoder reads are
 * (a) shuffled in time, one random permutation of the T steps per image, and (b) flipped bit by bit with probability
 * {@code a} for each level; each disturbed latent is decoded and compared with the input (MSE).
 */
public final class RobustnessExperiment {
    /** The paper's levels: a = 0.05, 0.10, ..., 0.30. */
    public static final List<Double> LEVELS = List.of(0.05, 0.10, 0.15, 0.20, 0.25, 0.30);

    private RobustnessExperiment() {
    }

    /** The MSE of one model under each disturbance: undisturbed, time-shuffled, then one per level. */
    public record Curve(String label, double reconstruction, double shuffled, List<Double> levels, List<Double> flipped) {
    }

    /**
     * Runs the experiment for one model on {@code images} images spread over {@code data} (the grid shows the first
     * {@code shown}): writes {@code <stem>-grid.png} (rows: input, reconstruction, time-shuffled, then one per level)
     * and returns the curve.
     */
    public static Curve run(GenerativeModel model, String label, ImageDataset data, int images, int shown,
                            List<Double> levels, long seed, Path gridFile) throws IOException {
        SpikingLatent latent = model.spikingLatent().orElseThrow(() -> new IllegalArgumentException(label + " is a "
                + model.type() + " model, which has no spiking latent to disturb"));
        ModelConfig c = model.config();
        if (data.channels() != c.inChannels() || data.height() != c.imageSize()) {
            throw new IllegalArgumentException(data.name() + " has " + data.channels() + "×" + data.height() + "×"
                    + data.width() + " images but " + label + " is a model for " + c.inChannels() + "×" + c.imageSize()
                    + "×" + c.imageSize());
        }
        int n = Math.min(images, data.size());
        int show = Math.min(shown, n);
        int chw = c.inChannels() * c.imageSize() * c.imageSize();
        float[] inputs = new float[n * chw];
        for (int i = 0; i < n; i++) { // spread over the set: neighbouring test images are often one class
            data.read((int) ((long) i * data.size() / n), inputs, i * chw, false);
        }
        model.train(false);
        Rng rng = new Rng(seed);
        StepContext ctx = StepContext.evaluation(rng, 0);
        int rows = 2 + 1 + levels.size();
        float[] grid = new float[rows * show * chw];
        System.arraycopy(inputs, 0, grid, 0, show * chw);
        double recon;
        double shuffled;
        List<Double> flipped = new ArrayList<>();
        try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope scope = MemoryScope.open()) {
            Tensor x = model.backend().fromHost(inputs, n, c.inChannels(), c.imageSize(), c.imageSize());
            Tensor z = latent.posteriorSpikes(x, ctx);
            int t = z.dim(0);
            int l = z.dim(2);
            float[] spikes = z.toHost(); // [T, N, L]
            recon = decodeInto(latent, model, spikes, t, n, l, x, grid, 1, show, chw);
            shuffled = decodeInto(latent, model, shuffleTime(spikes, t, n, l, rng), t, n, l, x, grid, 2, show, chw);
            for (int k = 0; k < levels.size(); k++) {
                flipped.add(decodeInto(latent, model, flip(spikes, levels.get(k), rng), t, n, l, x, grid, 3 + k, show, chw));
            }
        }
        Files.createDirectories(gridFile.toAbsolutePath().getParent());
        ImageGrid.write(gridFile, grid, rows * show, c.inChannels(), c.imageSize(), c.imageSize(), show,
                c.imageSize() <= 32 ? 2 : 1);
        return new Curve(label, recon, shuffled, levels, flipped);
    }

    /** Decodes the spikes, writes the first {@code show} images as grid row {@code row}, returns the MSE to {@code x}. */
    private static double decodeInto(SpikingLatent latent, GenerativeModel model, float[] spikes, int t, int n, int l,
                                     Tensor x, float[] grid, int row, int show, int chw) {
        Tensor y = latent.decode(model.backend().fromHost(spikes, t, n, l));
        System.arraycopy(y.toHost(), 0, grid, row * show * chw, show * chw);
        return Ops.mseLoss(y, x).item();
    }

    /** Each image's spike train with its T steps in a random order (one permutation per image, for all channels). */
    static float[] shuffleTime(float[] spikes, int t, int n, int l, Rng rng) {
        float[] out = new float[spikes.length];
        float[] u = rng.uniformHost(n * t);
        for (int i = 0; i < n; i++) {
            Integer[] order = new Integer[t];
            for (int s = 0; s < t; s++) {
                order[s] = s;
            }
            final int img = i;
            java.util.Arrays.sort(order, (a, b) -> Float.compare(u[img * t + a], u[img * t + b]));
            for (int s = 0; s < t; s++) {
                System.arraycopy(spikes, (order[s] * n + i) * l, out, (s * n + i) * l, l);
            }
        }
        return out;
    }

    /** Every spike bit flipped with probability {@code a}. */
    static float[] flip(float[] spikes, double a, Rng rng) {
        float[] u = rng.uniformHost(spikes.length);
        float[] out = spikes.clone();
        for (int i = 0; i < out.length; i++) {
            if (u[i] < a) {
                out[i] = 1f - out[i];
            }
        }
        return out;
    }

    /** {@code robustness.csv} and {@code robustness.png}: the MSE of every model under every disturbance. */
    public static void writeCurves(Path dir, List<Curve> curves) throws IOException {
        StringBuilder csv = new StringBuilder("model,perturbation,level,mse\n");
        List<LinePlot.Series> series = new ArrayList<>();
        for (Curve c : curves) {
            csv.append(String.format(Locale.ROOT, "%s,none,0,%.8g%n", c.label(), c.reconstruction()));
            csv.append(String.format(Locale.ROOT, "%s,time-shuffled,,%.8g%n", c.label(), c.shuffled()));
            double[] xs = new double[c.levels().size() + 1];
            double[] ys = new double[xs.length];
            ys[0] = c.reconstruction();
            for (int k = 0; k < c.levels().size(); k++) {
                csv.append(String.format(Locale.ROOT, "%s,bit-flip,%.2f,%.8g%n", c.label(), c.levels().get(k),
                        c.flipped().get(k)));
                xs[k + 1] = c.levels().get(k);
                ys[k + 1] = c.flipped().get(k);
            }
            series.add(new LinePlot.Series(String.format(Locale.ROOT, "%s (time-shuffled: %.4f)", c.label(), c.shuffled()),
                    xs, ys));
        }
        AtomicFiles.writeString(dir.resolve("robustness.csv"), csv.toString());
        LinePlot.write(dir.resolve("robustness.png"), "Reconstruction under latent bit flips (protocol reconstructed "
                + "from the paper's figure)", "flip probability a", "MSE", series, false);
    }
}
