package dev.spikevae.cli;

import dev.spikevae.data.ImageDataset;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.metrics.Fad;
import dev.spikevae.metrics.SpikeStatistics;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Rng;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The metrics {@code eval --metrics} computes besides the test MSE: fad, rates, ops, is, fid (docs/metrics.md). */
final class EvalMetrics {
    static final List<String> NAMES = List.of("mse", "fad", "rates", "ops", "is", "fid");

    private EvalMetrics() {}

    /** The requested names, lower case, checked; none given means mse. */
    static Set<String> parse(List<String> requested) {
        Set<String> out = new LinkedHashSet<>();
        if (requested == null || requested.isEmpty()) {
            out.add("mse");
            return out;
        }
        for (String r : requested) {
            String m = r.strip().toLowerCase(Locale.ROOT);
            if (!NAMES.contains(m)) {
                throw new IllegalArgumentException("--metrics: unknown metric '" + r + "'; expected some of "
                        + String.join(", ", NAMES));
            }
            out.add(m);
        }
        return out;
    }

    static void more(Set<String> wanted, GenerativeModel model, ImageDataset data, int batch, Rng stream, int epoch,
                     String dataset, EvalCommand cmd) throws IOException {
        if (wanted.contains("rates") || wanted.contains("ops")) {
            if (wanted.contains("ops") && !model.countsOperations()) {
                throw new IllegalArgumentException("--metrics ops: model type " + model.type()
                        + " does not count operations");
            }
            SpikeStatistics.Result r = SpikeStatistics.run(model, data, batch, stream.fork(), epoch);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s on %s (%d images, %d batches of %d):",
                    cmd.ck.loaded.weightsFile(), data.name(), r.images(), r.batches(), batch));
            for (Map.Entry<String, Double> e : r.values().entrySet()) {
                boolean op = e.getKey().startsWith("ops_");
                if ((op && wanted.contains("ops")) || (!op && wanted.contains("rates"))) {
                    line.append(String.format(Locale.ROOT, "  %s %.8g", e.getKey(), e.getValue()));
                }
            }
            System.out.println(line);
            if (wanted.contains("rates") && cmd.latentMap != null) {
                float[] map = r.maps().get("sampled_latent");
                if (map == null) {
                    throw new IllegalArgumentException("--latent-map: model type " + model.type()
                            + " has no sampled latent map");
                }
                int[] shape = r.mapShapes().get("sampled_latent");
                Npy.write(cmd.latentMap, new HostArray(new long[] {shape[0], shape[1]}, map));
                System.out.println("wrote the mean sampled latent map " + shape[0] + "×" + shape[1] + " to "
                        + cmd.latentMap);
            }
        }
        if (wanted.contains("is")) {
            if (cmd.isModel == null) {
                throw new IllegalArgumentException("--metrics is needs --is-model FILE.onnx: export torchvision's "
                        + "Inception-v3 once with: python3 tools/export_inception.py is inception_v3_is.onnx");
            }
            if (cmd.isSplits < 1 || cmd.isBatch < 1) {
                throw new IllegalArgumentException("--is-splits and --is-batch must be >= 1");
            }
            dev.spikevae.metrics.OnnxRuntimeCheck.requireIsGraph(cmd.isModel); // before any ONNX Runtime class loads
            try (dev.spikevae.metrics.IsNetwork net = dev.spikevae.metrics.IsNetwork.open(cmd.isModel)) {
                dev.spikevae.metrics.InceptionScore.Result r = net.scoreModel(model, stream.fork(), epoch, cmd.isBatch,
                        cmd.isSplits);
                System.out.println(String.format(Locale.ROOT, "%s: is %.6f  is_std %.6f  (%d splits of %d samples)",
                        cmd.ck.loaded.weightsFile(), r.mean(), r.std(), cmd.isSplits, cmd.isBatch));
            }
        }
        if (wanted.contains("fid")) {
            if (cmd.fidSamples < 2) {
                throw new IllegalArgumentException("--fid-samples must be >= 2, got " + cmd.fidSamples);
            }
            dev.spikevae.metrics.GaussianStats reference = dev.spikevae.metrics.Fid.reference(dataset, cmd.fidStats,
                    "--fid-stats");
            dev.spikevae.metrics.OnnxRuntimeCheck.requireFidGraph(cmd.fidModel); // before any ONNX Runtime class loads
            try (dev.spikevae.metrics.FidNetwork net = dev.spikevae.metrics.FidNetwork.open(cmd.fidModel)) {
                dev.spikevae.metrics.Fid.Result r = dev.spikevae.metrics.Fid.ofModel(model, net, reference,
                        stream.fork(), epoch, cmd.fidSamples);
                System.out.println(String.format(Locale.ROOT, "%s: fid %.6f  (%d samples, generated in batches of %d, "
                        + "against %s)", cmd.ck.loaded.weightsFile(), r.value(), r.images(),
                        dev.spikevae.metrics.Fid.GENERATOR_BATCH, reference.source()));
            }
        }
        if (wanted.contains("fad")) {
            if (cmd.fadBatches < 1) {
                throw new IllegalArgumentException("--fad-batches must be >= 1, got " + cmd.fadBatches);
            }
            try (Fad.Setup setup = Fad.setup(model.backend(), dataset, cmd.fadWeights, cmd.fadStats)) {
                Fad.Result r = Fad.ofModel(model, setup, stream.fork(), epoch, cmd.fadBatches);
                System.out.println(String.format(Locale.ROOT, "%s: fad %.6f  (%d samples in batches of %d, against %s)",
                        cmd.ck.loaded.weightsFile(), r.value(), r.images(), Fad.BATCH_SIZE, setup.reference().source()));
            }
        }
    }
}
