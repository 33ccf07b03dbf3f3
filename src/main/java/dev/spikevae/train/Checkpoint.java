package dev.spikevae.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Safetensors;
import dev.spikevae.io.SnakeCaseJson;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.model.ModelType;
import dev.spikevae.model.Models;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint is up to three files sharing a stem ({@code checkpoints/last}):
 * <ul>
 *   <li>{@code last.safetensors}: the model's weights and buffers under the published implementation's names
 *       (docs/reference.md §13 for ESVAE; conv weights without the trailing time axis), float32;</li>
 *   <li>{@code last.optim.safetensors}: the AdamW moments ({@code exp_avg.<param>}, {@code exp_avg_sq.<param>});</li>
 *   <li>{@code last.json}: the sidecar — format version, model type and its complete configuration (image shape and
 *       every setting of the spec's model section), epoch, step, optimizer step count, the training RNG state, the
 *       resolved spec — written last, so a sidecar always names complete files.</li>
 * </ul>
 * Every file is written atomically. A converted reference checkpoint is a weights file alone (plus a small
 * sidecar); the model type and configuration are then read off the keys and weight shapes
 * ({@link dev.spikevae.model.ReferenceKeys}). Format 1 sidecars (before model settings were stored) load with the
 * reference settings for what they lack, which is what they were trained with.
 */
public final class Checkpoint {
    public static final int FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where a training run stands after a completed epoch: what resume needs besides the tensors. */
    public record Progress(int epoch, long step, long rngSeed, long rngCounter) {}

    /**
     * A loaded checkpoint. {@code progress}, {@code optimizerFile} and {@code spec} are null for weights-only files.
     * The optimizer state is read only by {@link #loadInto(AdamW, Loaded)} (for {@code --resume}): weights and sidecar
     * are all that evaluation, sampling, encoding and decoding need.
     */
    public record Loaded(Path weightsFile, Map<String, HostArray> weights, ModelConfig config, Progress progress,
                         Long optimizerSteps, Path optimizerFile, String spec) {

        /** A new model of the stored configuration on {@code backend}, holding the stored weights, in eval mode. */
        public GenerativeModel createModel(Backend backend) {
            GenerativeModel model = Models.get(config.type()).create(backend, config, new Rng(0));
            loadInto(model, this);
            model.train(false);
            return model;
        }
    }

    private Checkpoint() {
    }

    /** Writes {@code <dir>/<stem>.safetensors}, {@code .optim.safetensors} and {@code .json}; returns the weights path. */
    public static Path save(Path dir, String stem, GenerativeModel model, AdamW optimizer, Progress progress,
                            String specYaml) throws IOException {
        Files.createDirectories(dir);
        Path weights = dir.resolve(stem + ".safetensors");
        Path optim = dir.resolve(stem + ".optim.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "spikevae");
        meta.put("format_version", Integer.toString(FORMAT_VERSION));
        meta.put("model", model.type());
        Safetensors.write(weights, toHost(model.stateDict()), meta);
        if (optimizer != null) {
            Safetensors.write(optim, toHost(optimizer.stateTensors()), meta);
        }
        ObjectNode side = JSON.createObjectNode();
        side.put("format_version", FORMAT_VERSION);
        side.put("model", model.type());
        side.set("model_config", configJson(model.config()));
        side.put("weights", weights.getFileName().toString());
        if (optimizer != null) {
            side.put("optimizer", optim.getFileName().toString());
            side.put("optimizer_steps", optimizer.stepCount());
        }
        if (progress != null) {
            side.put("epoch", progress.epoch());
            side.put("step", progress.step());
            ObjectNode rng = side.putObject("rng");
            rng.put("seed", progress.rngSeed());
            rng.put("counter", progress.rngCounter());
        }
        if (specYaml != null) {
            side.put("spec", specYaml);
        }
        AtomicFiles.writeString(dir.resolve(stem + ".json"), JSON.writeValueAsString(side));
        return weights;
    }

    /**
     * Loads a checkpoint from a {@code .safetensors} weights file, its {@code .json} sidecar, a run directory
     * (its {@code checkpoints/last}) or a {@code checkpoints} folder.
     */
    public static Loaded load(Path path) throws IOException {
        Path weights = resolveWeights(path);
        Path sidecar = sibling(weights, ".json");
        JsonNode side = null;
        if (Files.exists(sidecar)) {
            try {
                side = JSON.readTree(sidecar.toFile());
            } catch (IOException e) {
                throw new IOException(sidecar + ": not a readable checkpoint sidecar (" + e.getMessage() + ")", e);
            }
            int version = side.path("format_version").asInt(-1);
            if (version < 1 || version > FORMAT_VERSION) {
                throw new IOException(sidecar + ": checkpoint format_version " + side.path("format_version")
                        + " is not supported (this build reads 1.." + FORMAT_VERSION + ")");
            }
            JsonNode model = side.get("model");
            if (model != null && !(model.isTextual() && Models.exists(model.asText()))) {
                throw new IOException(sidecar + ": model " + model + " is not a known model type (known: "
                        + String.join(", ", Models.names()) + ")");
            }
        }
        Safetensors.Loaded st;
        try {
            st = Safetensors.read(weights);
        } catch (NoSuchFileException e) {
            throw new IOException(weights + ": checkpoint weights file not found", e);
        }
        String type = side != null && side.has("model") ? side.get("model").asText() : st.metadata().get("model");
        ModelType modelType;
        if (type != null) {
            if (!Models.exists(type)) {
                throw new IOException(weights + ": model '" + type + "' is not a known model type (known: "
                        + String.join(", ", Models.names()) + ")");
            }
            modelType = Models.get(type);
        } else {
            modelType = Models.recognise(st.tensors().keySet());
            if (modelType == null) {
                throw new IOException(weights + ": no model type recognises its keys (" + firstKeys(st.tensors()) + ")");
            }
        }
        Map<String, HostArray> tensors = new LinkedHashMap<>();
        st.tensors().forEach((k, v) -> {
            if (!modelType.referenceKeys().ignored(k)) {
                tensors.put(k, v);
            }
        });
        ModelConfig config = side != null && side.has("model_config")
                ? configFromJson(modelType, side.get("model_config"), sidecar) : inferConfig(modelType, tensors, weights);
        Progress progress = null;
        Long optimizerSteps = null;
        Path optimizer = null;
        String spec = null;
        if (side != null) {
            if (side.has("epoch")) {
                progress = new Progress(side.get("epoch").asInt(), side.path("step").asLong(),
                        side.path("rng").path("seed").asLong(), side.path("rng").path("counter").asLong());
            }
            if (side.has("optimizer")) {
                optimizer = weights.resolveSibling(side.get("optimizer").asText());
                optimizerSteps = side.path("optimizer_steps").asLong();
            }
            if (side.has("spec")) {
                spec = side.get("spec").asText();
            }
        }
        return new Loaded(weights, tensors, config, progress, optimizerSteps, optimizer, spec);
    }

    /**
     * Copies the checkpoint's weights and buffers into the model. Every model tensor must be present with a
     * matching shape (a leading or trailing axis of size 1 is ignored, as for the reference's time axis);
     * an extra key is an error too, so a checkpoint of another model or size is refused with the names.
     */
    public static void loadInto(GenerativeModel model, Loaded ck) {
        copyInto(model.stateDict(), ck.weights(), ck.weightsFile() + "");
    }

    /** Restores AdamW moments and step count; fails if the checkpoint has none. */
    public static void loadInto(AdamW optimizer, Loaded ck) throws IOException {
        if (ck.optimizerFile() == null) {
            throw new IllegalArgumentException(ck.weightsFile() + ": has no optimizer state (not a training checkpoint)");
        }
        Map<String, HostArray> state;
        try {
            state = Safetensors.read(ck.optimizerFile()).tensors();
        } catch (NoSuchFileException e) {
            throw new IOException(sibling(ck.weightsFile(), ".json") + ": names optimizer state "
                    + ck.optimizerFile().getFileName() + ", which is missing (needed to resume training)", e);
        }
        copyInto(optimizer.stateTensors(), state, ck.optimizerFile() + "");
        optimizer.setStepCount(ck.optimizerSteps());
    }

    private static void copyInto(Map<String, Tensor> target, Map<String, HostArray> source, String file) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String k : target.keySet()) {
            if (!source.containsKey(k)) {
                missing.add(k);
            }
        }
        for (String k : source.keySet()) {
            if (!target.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(file + " does not fit this model: " + describe("missing", missing)
                    + (missing.isEmpty() || unexpected.isEmpty() ? "" : "; ") + describe("unexpected", unexpected));
        }
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            HostArray a = source.get(e.getKey());
            Tensor t = e.getValue();
            if (!squeezed(a.shape()).equals(squeezed(t.shape().dims()))) {
                throw new IllegalArgumentException(file + ": '" + e.getKey() + "' has shape " + Arrays.toString(a.shape())
                        + " but this model needs " + t.shape() + " (a checkpoint of another configuration?)");
            }
            t.backend().copyFromHost(a.data(), 0, t);
        }
    }

    private static String describe(String what, List<String> keys) {
        if (keys.isEmpty()) {
            return "";
        }
        List<String> shown = keys.size() > 6 ? keys.subList(0, 6) : keys;
        return keys.size() + " " + what + " key(s) " + String.join(", ", shown) + (keys.size() > 6 ? ", ..." : "");
    }

    private static List<Long> squeezed(long[] dims) {
        List<Long> out = new ArrayList<>();
        for (long d : dims) {
            if (d != 1) {
                out.add(d);
            }
        }
        return out;
    }

    private static List<Long> squeezed(int[] dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            l[i] = dims[i];
        }
        return squeezed(l);
    }

    static Path resolveWeights(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path inRun = path.resolve("checkpoints").resolve("last.safetensors");
            Path inFolder = path.resolve("last.safetensors");
            if (Files.exists(inRun)) {
                return inRun;
            }
            if (Files.exists(inFolder)) {
                return inFolder;
            }
            throw new NoSuchFileException(path + ": no checkpoint found (looked for " + inRun + " and " + inFolder + ")");
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".json")) {
            return path.resolveSibling(name.substring(0, name.length() - 5) + ".safetensors");
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path + ": checkpoint not found");
        }
        return path;
    }

    private static Path sibling(Path weights, String suffix) {
        String name = weights.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return weights.resolveSibling(stem + suffix);
    }

    private static Map<String, HostArray> toHost(Map<String, Tensor> tensors) {
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            int[] d = e.getValue().shape().dims();
            long[] shape = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                shape[i] = d[i];
            }
            out.put(e.getKey(), new HostArray(shape, e.getValue().toHost()));
        }
        return out;
    }

    /** The configuration as the sidecar stores it: the image shape, then every setting of the model's spec section. */
    static ObjectNode configJson(ModelConfig c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("in_channels", c.inChannels());
        n.put("image_size", c.imageSize());
        n.setAll(SnakeCaseJson.tree(Models.get(c.type()).settingsOf(c)));
        return n;
    }

    private static ModelConfig configFromJson(ModelType type, JsonNode n, Path file) throws IOException {
        if (!n.isObject()) {
            throw new IOException(file + ": model_config must be a mapping, got " + n);
        }
        for (String k : new String[] {"in_channels", "image_size"}) {
            if (!n.path(k).isIntegralNumber() || !n.path(k).canConvertToInt()) {
                throw new IOException(file + ": model_config." + k + " is missing or not an integer");
            }
        }
        ObjectNode settings = ((ObjectNode) n).deepCopy();
        settings.remove("in_channels");
        settings.remove("image_size");
        try {
            Record s = SnakeCaseJson.read(settings, type.settingsType().asSubclass(Record.class),
                    cast(type.defaultSettings()));
            type.validate(s);
            return type.configure(s, n.get("in_channels").asInt(), n.get("image_size").asInt());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": model_config." + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <R extends Record> R cast(Record r) {
        return (R) r;
    }

    /** Reads the configuration off the weight shapes (for converted reference checkpoints without a config). */
    static ModelConfig inferConfig(ModelType type, Map<String, HostArray> w, Path file) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        w.forEach((k, v) -> shapes.put(k, v.shape()));
        try {
            return type.referenceKeys().infer(shapes);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage() + "; found " + firstKeys(w), e);
        }
    }

    private static String firstKeys(Map<String, HostArray> w) {
        List<String> k = new ArrayList<>(w.keySet());
        return k.isEmpty() ? "no tensors" : String.join(", ", k.subList(0, Math.min(4, k.size()))) + (k.size() > 4 ? ", ..." : "");
    }
}
