package dev.spikevae.metrics;

import dev.spikevae.autograd.Tape;
import dev.spikevae.data.Batch;
import dev.spikevae.data.DataLoader;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelOutput;
import dev.spikevae.model.OperationCounts;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latent statistics and cost of a model on a test set, as the published test loop logs them (docs/reference.md
 * §6.5, docs/metrics.md): the mean of every monitored quantity (ESVAE: {@code rate_post}, {@code rate_prior}), the
 * mean of every map over the images (ESVAE: {@code sampled_latent}, {@code [L, T]}), and, for models that count
 * them, the additions and multiplications of the forward passes, per test batch as published and per image.
 */
public final class SpikeStatistics {

    /**
     * @param values  monitors by name (image-weighted means) and, when counted, {@code ops_add}, {@code ops_mul} (per
     *                batch, the published figures) and {@code ops_add_per_image}, {@code ops_mul_per_image}
     * @param maps    mean maps by name, with their shapes in {@code mapShapes}
     * @param counts  the counts summed over the test set (per layer), or null when the model does not count them
     */
    public record Result(int images, int batches, Map<String, Double> values, Map<String, float[]> maps,
                         Map<String, int[]> mapShapes, OperationCounts counts) {}

    private SpikeStatistics() {}

    /** One pass over {@code test} in evaluation mode, in batches of {@code batchSize}, drawing from {@code rng}. */
    public static Result run(GenerativeModel model, ImageDataset test, int batchSize, Rng rng, int epoch) {
        boolean wasTraining = model.isTraining();
        model.train(false);
        OperationCounts counts = model.countsOperations() ? new OperationCounts() : null;
        StepContext context = StepContext.evaluation(rng, epoch);
        Map<String, Double> sums = new LinkedHashMap<>();
        Map<String, double[]> mapSums = new LinkedHashMap<>();
        Map<String, int[]> mapShapes = new LinkedHashMap<>();
        int images = 0;
        int batches = 0;
        if (counts != null) {
            model.countOperations(counts);
        }
        try (DataLoader loader = new DataLoader(test, batchSize, false, false, false, 0);
             Tape.NoGrad ng = Tape.noGrad()) {
            Iterator<Batch> it = loader.epoch(0);
            while (it.hasNext()) {
                Batch b = it.next();
                try (MemoryScope scope = MemoryScope.open()) {
                    int n = b.size();
                    int per = b.channels() * b.height() * b.width();
                    float[] px = b.pixels().length == n * per ? b.pixels() : Arrays.copyOf(b.pixels(), n * per);
                    Tensor x = model.backend().fromHost(px, n, b.channels(), b.height(), b.width());
                    ModelOutput out = model.forward(x, context);
                    for (Map.Entry<String, Tensor> m : out.monitors().entrySet()) {
                        sums.merge(m.getKey(), mean(m.getValue().toHost()) * n, Double::sum);
                    }
                    for (Map.Entry<String, Tensor> m : out.maps().entrySet()) {
                        Tensor t = m.getValue();
                        int[] shape = Arrays.copyOfRange(t.shape().dims(), 1, t.rank());
                        mapShapes.putIfAbsent(m.getKey(), shape);
                        double[] acc = mapSums.computeIfAbsent(m.getKey(), k -> new double[t.numel() / n]);
                        float[] v = t.toHost();
                        for (int i = 0; i < v.length; i++) {
                            acc[i % acc.length] += v[i];
                        }
                    }
                    images += n;
                    batches++;
                }
            }
        } finally {
            if (counts != null) {
                model.countOperations(null);
            }
            model.train(wasTraining);
        }
        if (images == 0) {
            throw new IllegalStateException("test set " + test.name() + " is empty");
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : sums.entrySet()) {
            values.put(e.getKey(), e.getValue() / images);
        }
        if (counts != null) {
            values.put("ops_add", counts.adds() / batches);
            values.put("ops_mul", counts.muls() / batches);
            values.put("ops_add_per_image", counts.adds() / images);
            values.put("ops_mul_per_image", counts.muls() / images);
        }
        Map<String, float[]> maps = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : mapSums.entrySet()) {
            float[] m = new float[e.getValue().length];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) (e.getValue()[i] / images);
            }
            maps.put(e.getKey(), m);
        }
        return new Result(images, batches, values, maps, mapShapes, counts);
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s / v.length;
    }
}
