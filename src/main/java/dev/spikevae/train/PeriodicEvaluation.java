package dev.spikevae.train;

import dev.spikevae.data.ImageDataset;
import dev.spikevae.metrics.Fad;
import dev.spikevae.metrics.Fid;
import dev.spikevae.metrics.GaussianStats;
import dev.spikevae.metrics.OnnxRuntimeCheck;
import dev.spikevae.metrics.SpikeStatistics;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics a training run computes besides its test pass (the spec's {@code eval} section, docs/training.md):
 * after every {@code every}-th epoch and after the last one, by name, as {@code test_<name>} columns:
 * <ul>
 * <li>{@code rates}: {@code rates_<monitor>} (ESVAE: {@code rates_rate_post}, {@code rates_rate_prior}) and
 * {@code rates_<map>_mean} (the mean of the sampled latent map), from a pass over the test set;</li>
 * <li>{@code ops}: {@code ops_add}, {@code ops_mul}, {@code ops_add_per_image}, {@code ops_mul_per_image};</li>
 * <li>{@code is}: {@code is}, {@code is_std}; {@code fad}: {@code fad}; {@code fid}: {@code fid}.</li>
 * </ul>
 * Their randomness is a stream of their own derived from (seed, epoch), separate from the training stream and the
 * test pass's, so computing them changes no other figure and a resumed run computes the same values.
 */
public final class PeriodicEvaluation {

    /** What to compute and with which files; paths may be null where the metric is not asked for. */
    public record Settings(List<String> metrics, int every, String dataset, Path isModel, int isSplits, int isBatch,
                           Path fidModel, Path fidStats, int fidSamples, int fadBatches) {
        public Settings {
            metrics = List.copyOf(metrics);
            if (every < 1) {
                throw new IllegalArgumentException("eval.every must be >= 1, got " + every);
            }
        }
    }

    private final Settings settings;
    private final ImageDataset test;
    private final int batchSize;
    private final long seed;

    public PeriodicEvaluation(Settings settings, ImageDataset test, int batchSize, long seed) {
        this.settings = settings;
        this.test = test;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Whether anything besides the test pass is asked for. */
    public boolean active() {
        return settings.metrics().stream().anyMatch(m -> !m.equals("mse"));
    }

    /** Whether the metrics run after {@code epoch} of a run that ends with {@code lastEpoch}. */
    public boolean runsAt(int epoch, int lastEpoch) {
        return active() && (epoch % settings.every() == 0 || epoch == lastEpoch);
    }

    private boolean wants(String metric) {
        return settings.metrics().contains(metric);
    }

    /** The stream of the metrics after {@code epoch}, apart from the training stream and the test pass's. */
    static Rng stream(long seed, int epoch) {
        return new Rng(seed ^ 0x2545F4914F6CDD1DL, 1_000_000_000L * (epoch + 1));
    }

    /**
     * Checks, before a run starts, that every file the metrics need is there (the FAD weights of the dataset, the
     * exported Inception graphs, ONNX Runtime, the FID statistics); the messages name the missing file and how to
     * make it.
     */
    public void checkFiles(Backend backend) throws IOException {
        if (wants("fad")) {
            try (Fad.Setup setup = Fad.setup(backend, settings.dataset(), null, null)) {
                // opened and closed: the weights and statistics exist and match
            }
        }
        if (wants("is")) {
            if (settings.isModel() == null) {
                throw new IllegalArgumentException("eval.is_model: the metric is needs torchvision's Inception-v3 "
                        + "exported to ONNX; export it once with: python3 tools/export_inception.py is "
                        + "inception_v3_is.onnx, and set eval.is_model to that file (docs/metrics.md)");
            }
            OnnxRuntimeCheck.requireIsGraph(settings.isModel());
        }
        if (wants("fid")) {
            if (settings.fidModel() == null) {
                throw new IllegalArgumentException("eval.fid_model: the metric fid needs clean-fid's Inception "
                        + "(inception-2015-12-05.pt) exported to ONNX; export it once with: python3 "
                        + "tools/export_inception.py fid inception_fid.onnx --model inception-2015-12-05.pt, and set "
                        + "eval.fid_model to that file (docs/metrics.md)");
            }
            Fid.reference(settings.dataset(), settings.fidStats(), "eval.fid_stats");
            OnnxRuntimeCheck.requireFidGraph(settings.fidModel());
        }
    }

    /** Checks that {@code model} can do what the metrics ask (ops: count its operations). */
    public void checkModel(GenerativeModel model) {
        if (wants("ops") && !model.countsOperations()) {
            throw new IllegalArgumentException("eval.metrics: ops, but model type " + model.type()
                    + " does not count operations");
        }
    }

    /** The metrics of {@code model} after {@code epoch}, by column name (without the {@code test_} prefix). */
    public Map<String, Double> compute(GenerativeModel model, int epoch) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        Rng rng = stream(seed, epoch);
        if (wants("rates") || wants("ops")) {
            SpikeStatistics.Result r = SpikeStatistics.run(model, test, batchSize, rng.fork(), epoch);
            for (Map.Entry<String, Double> e : r.values().entrySet()) {
                boolean op = e.getKey().startsWith("ops_");
                if (op && wants("ops")) {
                    out.put(e.getKey(), e.getValue());
                } else if (!op && wants("rates")) {
                    out.put("rates_" + e.getKey(), e.getValue());
                }
            }
            if (wants("rates")) {
                for (Map.Entry<String, float[]> m : r.maps().entrySet()) {
                    double s = 0;
                    for (float v : m.getValue()) {
                        s += v;
                    }
                    out.put("rates_" + m.getKey() + "_mean", s / Math.max(1, m.getValue().length));
                }
            }
        }
        if (wants("is")) {
            OnnxRuntimeCheck.requireIsGraph(settings.isModel()); // before any ONNX Runtime class loads
            try (dev.spikevae.metrics.IsNetwork net = dev.spikevae.metrics.IsNetwork.open(settings.isModel())) {
                dev.spikevae.metrics.InceptionScore.Result r = net.scoreModel(model, rng.fork(), epoch,
                        settings.isBatch(), settings.isSplits());
                out.put("is", r.mean());
                out.put("is_std", r.std());
            }
        }
        if (wants("fad")) {
            try (Fad.Setup setup = Fad.setup(model.backend(), settings.dataset(), null, null)) {
                out.put("fad", Fad.ofModel(model, setup, rng.fork(), epoch, settings.fadBatches()).value());
            }
        }
        if (wants("fid")) {
            GaussianStats reference = Fid.reference(settings.dataset(), settings.fidStats(), "eval.fid_stats");
            OnnxRuntimeCheck.requireFidGraph(settings.fidModel());
            try (dev.spikevae.metrics.FidNetwork net = dev.spikevae.metrics.FidNetwork.open(settings.fidModel())) {
                out.put("fid", Fid.ofModel(model, net, reference, rng.fork(), epoch, settings.fidSamples()).value());
            }
        }
        return out;
    }
}
