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
 * A checkpoint is up to three files under one stem ({@code checkpoints/last}), saved as one atomic unit:
 * <ul>
 *   <li>{@code last-e0003.safetensors}: the model's weights and buffers under the published implementation's names
 *       (docs/reference.md §13 for ESVAE; conv weights without the trailing time axis), float32;</li>
 *   <li>{@code last-e0003.optim.safetensors}: the AdamW moments ({@code exp_avg.<param>}, {@code exp_avg_sq.<param>});</li>
 *   <li>{@code last.json}: the sidecar — format version, model type and its complete configuration (image shape and
 *       every setting of the spec's model section), the names, sizes and SHA-256 hashes of the two files above,
 *       epoch, step, optimizer step count, the training RNG state, the resolved spec. Its atomic replacement is
 *       the commit of a save (see {@link #save}); the loader checks the files against the recorded sizes and
 *       hashes, so epochs can never mix.</li>
 * </ul>
 * A converted reference checkpoint is a weights file alone (plus a small sidecar); the model type and
 * configuration are then read off the keys and weight shapes ({@link dev.spikevae.model.ReferenceKeys}). Format 1
 * and 2 sidecars (fixed names {@code last.safetensors}, no hashes) still load; format 1 (before model settings
 * were stored) loads with the reference settings for what it lacks, which is what it was trained with. Every
 * sidecar field is type-checked: a bad one is an error naming the file and the field.
 */
public final class Checkpoint {
    public static final int FORMAT_VERSION = 3;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where a training run stands after a completed epoch: what resume needs besides the tensors. */
    public record Progress(int epoch, long step, long rngSeed, long rngCounter) {}

    /**
     * A loaded checkpoint. {@code progress}, {@code optimizerFile} and {@code spec} are null for weights-only files.
     * The optimizer state is read only by {@link #loadInto(AdamW, Loaded)} (for {@code --resume}): weights and sidecar
     * are all that evaluation, sampling, encoding and decoding need.
     */
    public record Loaded(Path weightsFile, Map<String, HostArray> weights, ModelConfig config, Progress progress,
                         Long optimizerSteps, Path optimizerFile, String spec, Path sidecarFile,
                         JsonNode optimizerRecord) {

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

    /** Where a save can be interrupted, in order; a {@link SaveHook} sees each after it is done. */
    public static final List<String> SAVE_STEPS = List.of("weights", "optimizer", "sidecar", "cleanup");

    /** Observes the steps of a save (tests use it to simulate a crash after each one). */
    @FunctionalInterface
    interface SaveHook {
        void reached(String stem, String step) throws IOException;
    }

    private static final ThreadLocal<SaveHook> SAVE_HOOK = new ThreadLocal<>();

    /** Installs {@code hook} for saves on this thread ({@code null} removes it). */
    static void saveHook(SaveHook hook) {
        if (hook == null) {
            SAVE_HOOK.remove();
        } else {
            SAVE_HOOK.set(hook);
        }
    }

    private static void reached(String stem, String step) throws IOException {
        SaveHook h = SAVE_HOOK.get();
        if (h != null) {
            h.reached(stem, step);
        }
    }

    /**
     * Saves one checkpoint as an atomic unit: the weights and optimizer files go under names of their own
     * ({@code <stem>-e0003.safetensors}, {@code <stem>-e0003.optim.safetensors}), each written atomically, and
     * then the sidecar {@code <stem>.json}, which names them with their sizes and SHA-256 hashes, replaces the
     * previous one with one atomic rename: that rename is the commit. Only then are the files of the previous
     * save removed. A crash at any moment leaves the previous complete checkpoint or the new one, never a mix.
     * Returns the weights path.
     */
    public static Path save(Path dir, String stem, GenerativeModel model, AdamW optimizer, Progress progress,
                            String specYaml) throws IOException {
        Files.createDirectories(dir);
        Path sidecar = dir.resolve(stem + ".json");
        String tag = progress != null ? String.format(java.util.Locale.ROOT, "e%04d", progress.epoch())
                : "w" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
        String committed = committedWeightsName(sidecar);
        if ((stem + "-" + tag + ".safetensors").equals(committed)) {
            tag += "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 40);
        }
        Path weights = dir.resolve(stem + "-" + tag + ".safetensors");
        Path optim = dir.resolve(stem + "-" + tag + ".optim.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "spikevae");
        meta.put("format_version", Integer.toString(FORMAT_VERSION));
        meta.put("model", model.type());
        Safetensors.write(weights, toHost(model.stateDict()), meta);
        reached(stem, "weights");
        if (optimizer != null) {
            Safetensors.write(optim, toHost(optimizer.stateTensors()), meta);
        }
        reached(stem, "optimizer");
        ObjectNode side = JSON.createObjectNode();
        side.put("format_version", FORMAT_VERSION);
        side.put("model", model.type());
        side.set("model_config", configJson(model.config()));
        side.put("weights", weights.getFileName().toString());
        ObjectNode files = side.putObject("files");
        files.set("weights", fileRecord(weights));
        if (optimizer != null) {
            side.put("optimizer", optim.getFileName().toString());
            side.put("optimizer_steps", optimizer.stepCount());
            files.set("optimizer", fileRecord(optim));
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
        AtomicFiles.writeString(sidecar, JSON.writeValueAsString(side));
        reached(stem, "sidecar");
        removeUncommitted(dir, stem);
        reached(stem, "cleanup");
        return weights;
    }

    /**
     * Removes the files of {@code stem} that its sidecar does not name: those of the previous save, of a save a
     * crash interrupted, and temp files of interrupted writes. Returns how many were removed.
     */
    public static int removeUncommitted(Path dir, String stem) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Path sidecar = dir.resolve(stem + ".json");
        java.util.Set<String> keep = new java.util.HashSet<>();
        keep.add(sidecar.getFileName().toString());
        JsonNode side = null;
        if (Files.exists(sidecar)) {
            try {
                side = JSON.readTree(sidecar.toFile());
            } catch (IOException e) {
                return 0; // an unreadable sidecar: touch nothing, the loader reports it
            }
            for (String f : new String[] {"weights", "optimizer"}) {
                if (side.path(f).isTextual()) {
                    keep.add(side.get(f).asText());
                }
            }
        }
        int removed = 0;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                boolean ours = n.startsWith(stem + "-e") && n.endsWith(".safetensors")
                        || n.startsWith(stem + "-w") && n.endsWith(".safetensors")
                        || side != null && (n.equals(stem + ".safetensors") || n.equals(stem + ".optim.safetensors"))
                        || AtomicFiles.isTempName(n) && n.startsWith("." + stem);
                if (ours && !keep.contains(n) && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Whether {@code dir} holds a {@code last} checkpoint (a sidecar or, before format 3, a weights file). */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("last.json")) || Files.isRegularFile(dir.resolve("last.safetensors"));
    }

    /** The epoch the sidecar {@code <dir>/<stem>.json} records, or null if there is none or it says none. */
    public static Integer committedEpoch(Path dir, String stem) {
        try {
            JsonNode e = JSON.readTree(dir.resolve(stem + ".json").toFile()).get("epoch");
            return e != null && e.isIntegralNumber() && e.canConvertToInt() ? e.asInt() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String committedWeightsName(Path sidecar) {
        try {
            JsonNode side = JSON.readTree(sidecar.toFile());
            return side.path("weights").isTextual() ? side.get("weights").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static ObjectNode fileRecord(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", file.getFileName().toString());
        n.put("bytes", Files.size(file));
        n.put("sha256", sha256(file));
        return n;
    }

    /** The SHA-256 of a file's bytes, in hex. */
    public static String sha256(Path file) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** Checks a companion file against the size and hash its sidecar records (format 3 and later). */
    private static void verify(Path file, JsonNode record, Path sidecar, String role) throws IOException {
        if (record == null || record.isMissingNode() || record.isNull()) {
            return;
        }
        long bytes = longField(record, "bytes", sidecar, "files." + role + ".bytes");
        String hash = textField(record, "sha256", sidecar, "files." + role + ".sha256");
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(sidecar + ": names " + role + " file " + file.getFileName()
                    + ", which is missing");
        }
        long actual = Files.size(file);
        if (actual != bytes) {
            throw new IOException(file + ": is " + actual + " bytes but its sidecar " + sidecar.getFileName()
                    + " records " + bytes + " (a truncated or replaced " + role + " file)");
        }
        if (!sha256(file).equalsIgnoreCase(hash)) {
            throw new IOException(file + ": its SHA-256 differs from the one its sidecar " + sidecar.getFileName()
                    + " records (a corrupt or replaced " + role + " file)");
        }
    }

    private static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static int intField(JsonNode n, String name, Path file, String dotted) throws IOException {
        JsonNode v = field(n, name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IOException(file + ": field " + dotted + " must be an integer, got " + (v == null ? "nothing" : v));
        }
        return v.asInt();
    }

    private static long longField(JsonNode n, String name, Path file, String dotted) throws IOException {
        JsonNode v = field(n, name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IOException(file + ": field " + dotted + " must be an integer, got " + (v == null ? "nothing" : v));
        }
        return v.asLong();
    }

    private static String textField(JsonNode n, String name, Path file, String dotted) throws IOException {
        JsonNode v = field(n, name);
        if (v == null || !v.isTextual()) {
            throw new IOException(file + ": field " + dotted + " must be a string, got " + (v == null ? "nothing" : v));
        }
        return v.asText();
    }

    /**
     * Loads a checkpoint from a {@code .safetensors} weights file, its {@code .json} sidecar, a run directory
     * (its {@code checkpoints/last}) or a {@code checkpoints} folder. The weights are checked against the size and
     * hash the sidecar records; the optimizer file is not read here (only {@link #loadInto(AdamW, Loaded)} needs it).
     */
    public static Loaded load(Path path) throws IOException {
        Path[] found = resolve(path);
        Path weights = found[0];
        Path sidecar = found[1];
        JsonNode side = null;
        if (sidecar != null) {
            try {
                side = JSON.readTree(sidecar.toFile());
            } catch (IOException e) {
                throw new IOException(sidecar + ": not a readable checkpoint sidecar (" + e.getMessage() + ")", e);
            }
            if (side == null || !side.isObject()) {
                throw new IOException(sidecar + ": not a checkpoint sidecar (expected a JSON object)");
            }
            JsonNode fv = side.get("format_version");
            if (fv == null || !fv.isIntegralNumber() || fv.asInt() < 1 || fv.asInt() > FORMAT_VERSION) {
                throw new IOException(sidecar + ": checkpoint format_version " + fv
                        + " is not supported (this build reads 1.." + FORMAT_VERSION + ")");
            }
            JsonNode model = side.get("model");
            if (model != null && !(model.isTextual() && Models.exists(model.asText()))) {
                throw new IOException(sidecar + ": model " + model + " is not a known model type (known: "
                        + String.join(", ", Models.names()) + ")");
            }
            verify(weights, side.path("files").get("weights"), sidecar, "weights");
        }
        Safetensors.Loaded st;
        try {
            st = Safetensors.read(weights);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(weights + ": checkpoint weights file not found"
                    + (sidecar == null ? "" : " (named by " + sidecar + ")"));
        }
        String type = side != null && field(side, "model") != null ? side.get("model").asText() : st.metadata().get("model");
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
        ModelConfig config = side != null && field(side, "model_config") != null
                ? configFromJson(modelType, side.get("model_config"), sidecar) : inferConfig(modelType, tensors, weights);
        Progress progress = null;
        Long optimizerSteps = null;
        Path optimizer = null;
        String spec = null;
        JsonNode optimizerRecord = null;
        if (side != null) {
            if (field(side, "epoch") != null) {
                JsonNode rng = field(side, "rng");
                if (rng == null || !rng.isObject()) {
                    throw new IOException(sidecar + ": field rng must be a mapping with seed and counter, got "
                            + (rng == null ? "nothing" : rng));
                }
                int epoch = intField(side, "epoch", sidecar, "epoch");
                long step = longField(side, "step", sidecar, "step");
                if (epoch < 0 || step < 0) {
                    throw new IOException(sidecar + ": fields epoch and step must not be negative (epoch " + epoch
                            + ", step " + step + ")");
                }
                progress = new Progress(epoch, step, longField(rng, "seed", sidecar, "rng.seed"),
                        longField(rng, "counter", sidecar, "rng.counter"));
            }
            if (field(side, "optimizer") != null) {
                String name = textField(side, "optimizer", sidecar, "optimizer");
                if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
                    throw new IOException(sidecar + ": field optimizer must name a file beside it, got '" + name + "'");
                }
                optimizer = weights.resolveSibling(name);
                optimizerSteps = longField(side, "optimizer_steps", sidecar, "optimizer_steps");
                optimizerRecord = side.path("files").get("optimizer");
            }
            if (field(side, "spec") != null) {
                spec = textField(side, "spec", sidecar, "spec");
            }
        }
        return new Loaded(weights, tensors, config, progress, optimizerSteps, optimizer, spec, sidecar, optimizerRecord);
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
        Path sidecar = ck.sidecarFile() != null ? ck.sidecarFile() : sibling(ck.weightsFile(), ".json");
        if (!Files.isRegularFile(ck.optimizerFile())) {
            throw new NoSuchFileException(sidecar + ": names optimizer state " + ck.optimizerFile().getFileName()
                    + ", which is missing (needed to resume training; evaluation needs only the weights)");
        }
        verify(ck.optimizerFile(), ck.optimizerRecord(), sidecar, "optimizer");
        state = Safetensors.read(ck.optimizerFile()).tensors();
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

    /**
     * The weights file and the sidecar (null if none) a path means. A directory means its
     * {@code checkpoints/last} or {@code last}; a sidecar names its weights file; a weights path whose file was
     * replaced by a newer save ({@code last.safetensors} of an older format) is read through its sidecar.
     */
    static Path[] resolve(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            for (Path base : new Path[] {path.resolve("checkpoints"), path}) {
                if (Files.isRegularFile(base.resolve("last.json"))) {
                    return fromSidecar(base.resolve("last.json"));
                }
                if (Files.isRegularFile(base.resolve("last.safetensors"))) {
                    return new Path[] {base.resolve("last.safetensors"), null};
                }
            }
            throw new NoSuchFileException(path + ": no checkpoint found (looked for " + path.resolve("checkpoints")
                    .resolve("last.json") + " and " + path.resolve("last.json") + ")");
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".json")) {
            if (!Files.isRegularFile(path)) {
                throw new NoSuchFileException(path + ": checkpoint sidecar not found");
            }
            return fromSidecar(path);
        }
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        List<Path> candidates = new ArrayList<>();
        candidates.add(path.resolveSibling(stem + ".json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.+)-(e\\d+|w[0-9a-f]+)(-[0-9a-f]+)?").matcher(stem);
        if (m.matches()) {
            candidates.add(path.resolveSibling(m.group(1) + ".json"));
        }
        for (int i = 0; i < candidates.size(); i++) {
            Path c = candidates.get(i);
            if (Files.isRegularFile(c)) {
                String named = committedWeightsName(c);
                // the stem's own sidecar may predate weight names; a save's shared sidecar must name this file
                boolean own = i == 0 && (named == null || !Files.exists(path));
                if (own || name.equals(named) || named != null && !Files.exists(path)) {
                    return fromSidecar(c);
                }
            }
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path + ": checkpoint not found");
        }
        return new Path[] {path, null};
    }

    private static Path[] fromSidecar(Path sidecar) throws IOException {
        String named = committedWeightsName(sidecar);
        Path weights;
        if (named != null) {
            if (named.isEmpty() || named.contains("/") || named.contains("\\")) {
                throw new IOException(sidecar + ": field weights must name a file beside it, got '" + named + "'");
            }
            weights = sidecar.resolveSibling(named);
        } else {
            weights = sibling(sidecar, ".safetensors");
        }
        return new Path[] {weights, sidecar};
    }

    private static Path sibling(Path weights, String suffix) {
        String name = weights.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length())
                : name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
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
