package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.metrics.Fad;
import dev.spikevae.metrics.Fid;
import dev.spikevae.metrics.FidNetwork;
import dev.spikevae.metrics.GaussianStats;
import dev.spikevae.metrics.InceptionScore;
import dev.spikevae.metrics.IsNetwork;
import dev.spikevae.metrics.OnnxRuntimeCheck;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.tensor.Backends;
import dev.spikevae.tensor.Rng;
import dev.spikevae.train.Checkpoint;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The generation metrics of a finished Table I row, measured on its last checkpoint under the published protocols
 * (docs/metrics.md): FAD of 40 × 128 samples (unless asked otherwise) with the dataset's autoencoder, and the Inception Score of 10 × 256
 * samples when an exported Inception model is given. They go to {@code table1-metrics.json} in the row's run folder
 * (atomically); a metric that cannot run is recorded with the reason, which the table shows.
 */
public final class Table1Metrics {
    static final String FILE = "table1-metrics.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Table1Metrics() {
    }

    /** The recorded figures and reasons of a row's run folder (empty when not measured yet). */
    static Map<String, String> read(Path runDir) {
        Map<String, String> out = new LinkedHashMap<>();
        Path f = runDir.resolve(FILE);
        if (Files.isRegularFile(f)) {
            try {
                JsonNode n = JSON.readTree(f.toFile());
                n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            } catch (IOException e) {
                out.put("error", f + " unreadable: " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * What the generation metrics need: the IS classifier and the FID feature network (ONNX files, or null when not
     * given), the FID reference statistics (a file, or a folder holding each dataset's {@link Fid#statsFile}), the
     * FID sample count and the FAD batch count.
     */
    public record Networks(Path isModel, Path fidModel, Path fidStats, int fidSamples, int fadBatches) {}

    /** Measures the row {@code run} of dataset {@code dataset} unless its run folder has the figures already. */
    static void measure(SweepFolder folder, String run, String dataset, Networks networks, BackendOptions options,
                        PrintStream out) throws IOException {
        Path dir = folder.runDir(run);
        Path isModel = networks.isModel();
        Path fidModel = networks.fidModel();
        if (Files.isRegularFile(dir.resolve(FILE)) && (isModel == null || read(dir).containsKey("is"))
                && (fidModel == null || read(dir).containsKey("fid"))) {
            return;
        }
        ExperimentSpec spec = folder.spec(run);
        Checkpoint.Loaded ck = Checkpoint.load(dir);
        int epoch = ck.progress() == null ? 0 : ck.progress().epoch();
        ObjectNode rec = JSON.createObjectNode();
        Backend backend = Backends.select(spec.run().device(), options);
        try (GenerativeModel model = ck.createModel(backend)) {
            out.println("[table1] " + run + ": measuring FAD" + (isModel == null ? "" : ", IS")
                    + (fidModel == null ? "" : ", FID") + " on its epoch-" + epoch + " checkpoint");
            try (Fad.Setup setup = Fad.setup(backend, dataset, null, null)) {
                Fad.Result r = Fad.ofModel(model, setup, new Rng(spec.run().seed()).fork(), epoch, networks.fadBatches());
                rec.put("fad", r.value());
                rec.put("fad_images", r.images());
            } catch (NoSuchFileException e) {
                rec.put("fad_missing", "weights missing: " + e.getReason());
            }
            if (isModel == null) {
                rec.put("is_missing", "weights missing: give --is-model (tools/export_inception.py)");
            } else {
                OnnxRuntimeCheck.requireIsGraph(isModel);
                try (IsNetwork net = IsNetwork.open(isModel)) {
                    InceptionScore.Result r = net.scoreModel(model, new Rng(spec.run().seed() + 1).fork(), epoch, 256, 10);
                    rec.put("is", r.mean());
                    rec.put("is_std", r.std());
                }
            }
            if (fidModel == null) {
                rec.put("fid_missing", "weights missing: give --fid-model and --fid-stats (tools/export_inception.py fid; "
                        + "docs/metrics.md)");
            } else {
                Path stats = networks.fidStats() != null && Files.isDirectory(networks.fidStats())
                        ? networks.fidStats().resolve(Fid.statsFile(dataset)) : networks.fidStats();
                try {
                    GaussianStats reference = Fid.reference(dataset, stats, "--fid-stats");
                    try (FidNetwork net = FidNetwork.open(fidModel)) {
                        Fid.Result r = Fid.ofModel(model, net, reference, new Rng(spec.run().seed() + 2).fork(), epoch,
                                networks.fidSamples());
                        rec.put("fid", r.value());
                        rec.put("fid_images", r.images());
                    }
                } catch (NoSuchFileException e) {
                    rec.put("fid_missing", "statistics missing: " + e.getFile());
                }
            }
        }
        AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(rec) + "\n");
        out.println(String.format(Locale.ROOT, "[table1] %s: %s", run, rec));
    }
}
