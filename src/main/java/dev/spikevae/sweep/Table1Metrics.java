package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.metrics.Fad;
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
final class Table1Metrics {
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

    /** Measures the row {@code run} of dataset {@code dataset} unless its run folder has the figures already. */
    static void measure(SweepFolder folder, String run, String dataset, Path isModel, int fadBatches,
                        BackendOptions options, PrintStream out) throws IOException {
        Path dir = folder.runDir(run);
        if (Files.isRegularFile(dir.resolve(FILE)) && (isModel == null || read(dir).containsKey("is"))) {
            return;
        }
        ExperimentSpec spec = folder.spec(run);
        Checkpoint.Loaded ck = Checkpoint.load(dir);
        int epoch = ck.progress() == null ? 0 : ck.progress().epoch();
        ObjectNode rec = JSON.createObjectNode();
        Backend backend = Backends.select(spec.run().device(), options);
        try (GenerativeModel model = ck.createModel(backend)) {
            out.println("[table1] " + run + ": measuring FAD" + (isModel == null ? "" : " and IS")
                    + " on its epoch-" + epoch + " checkpoint");
            try (Fad.Setup setup = Fad.setup(backend, dataset, null, null)) {
                Fad.Result r = Fad.ofModel(model, setup, new Rng(spec.run().seed()).fork(), epoch, fadBatches);
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
            rec.put("fid_missing", "FID is not measured by reproduce: run eval --metrics fid --fid-model --fid-stats on the "
                    + "row's checkpoint (clean-fid's Inception and statistics are user-supplied, docs/metrics.md)");
        }
        AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(rec) + "\n");
        out.println(String.format(Locale.ROOT, "[table1] %s: %s", run, rec));
    }
}
