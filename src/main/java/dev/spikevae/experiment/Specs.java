package dev.spikevae.experiment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.spikevae.model.Models;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reading, overriding, validating and writing {@link ExperimentSpec}s. Everything that returns a spec returns
 * a valid one; every problem is a {@link SpecException} (an {@code IllegalArgumentException}) whose one-line
 * message names the source, the line when known, and the dotted field.
 *
 * <p><b>Inheritance.</b> A spec may start from another with {@code base: NAME} (a built-in spec) or
 * {@code base: FILE.yaml} (a path relative to the spec's own folder): the base is read (with its own base, and so
 * on), then every key the spec writes replaces the base's, sections merging key by key. A spec that names another
 * {@code model.type} than its base does not inherit the base's model settings. The resolved spec, with no
 * {@code base}, is what a run saves in {@code config.yaml}.
 *
 * <p><b>Older specs.</b> Specs written before model settings moved into the model section have {@code train.lambda}
 * and {@code train.prior_lr_scale}; they are read as {@code model.lambda} and {@code model.prior_lr_scale}.
 */
public final class Specs {

    /** Built-in specs: resources {@code experiments/<model>/<name>.yaml}; ESVAE's are also known by bare name. */
    private static final List<String> BUILTINS = List.of("esvae/mnist", "esvae/fashion-mnist", "esvae/cifar10",
            "esvae/celeba", "esvae/digits", "esvae/fashion-mnist-quality", "ann-vae/mnist", "ann-vae/fashion-mnist",
            "ann-vae/cifar10", "ann-vae/celeba", "spiking-ae/mnist", "spiking-ae/fashion-mnist",
            "spiking-ae/cifar10", "fsvae/mnist", "fsvae/fashion-mnist", "fsvae/cifar10", "fsvae/celeba",
            "fsvae/fashion-mnist-quality", "ann-vae/fashion-mnist-quality");
    private static final String BUILTIN_FOLDER = "experiments/";
    /** Built-in sweeps: resources {@code experiments/ablations/<name>.yaml}. */
    private static final List<String> SWEEPS = List.of("ablations/timesteps", "ablations/latent",
            "ablations/lambda", "ablations/prior-lr-scale", "ablations/surrogate", "ablations/surrogate-width",
            "ablations/detach-reset", "ablations/sampler", "ablations/mmd-kernel", "ablations/prior-noise");
    private static final String SHORT_NAME_MODEL = "esvae/";
    private static final int MAX_BASE_DEPTH = 16;

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // A string such as "123" would otherwise be written bare and read back as a number.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Specs() {}

    /** The built-in spec of that name ({@link #builtinNames()}); an unknown name lists the built-in ones. */
    public static ExperimentSpec builtin(String name) {
        String qualified = qualified(name);
        if (qualified == null) {
            throw new SpecException(null, "no built-in experiment \"" + name + "\"; built-in: "
                    + String.join(", ", builtinNames()));
        }
        String resource = BUILTIN_FOLDER + qualified + ".yaml";
        return parse(YAML, resourceText(resource), Source.resource(resource, qualified.substring(qualified.indexOf('/') + 1)));
    }

    /** Whether {@code name} is a built-in spec. */
    public static boolean isBuiltin(String name) {
        return qualified(name) != null;
    }

    /** Names {@link #builtin} accepts: {@code model/name}, and ESVAE's by bare name too. */
    public static List<String> builtinNames() {
        List<String> out = new ArrayList<>();
        for (String b : BUILTINS) {
            out.add(b.startsWith(SHORT_NAME_MODEL) ? b.substring(SHORT_NAME_MODEL.length()) : b);
        }
        for (String b : BUILTINS) {
            if (b.startsWith(SHORT_NAME_MODEL)) {
                out.add(b);
            }
        }
        return out;
    }

    private static String qualified(String name) {
        if (name == null) {
            return null;
        }
        if (BUILTINS.contains(name)) {
            return name;
        }
        return BUILTINS.contains(SHORT_NAME_MODEL + name) ? SHORT_NAME_MODEL + name : null;
    }

    private static String resourceText(String resource) {
        try (InputStream in = Specs.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    /** A spec file, {@code .yaml}, {@code .yml} or {@code .json}; the experiment's name defaults to the file's name. */
    public static ExperimentSpec load(Path file) {
        String source = file.toString();
        String lower = source.toLowerCase(Locale.ROOT);
        boolean json = lower.endsWith(".json");
        if (!json && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
            throw new SpecException(null, "unknown spec file type; expected .yaml, .yml or .json").at(source, 0);
        }
        return parse(json ? JSON : YAML, readFile(file), Source.file(file));
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(null, "no such spec file").at(file.toString(), 0);
        } catch (IOException e) {
            throw new SpecException(null, "cannot read the spec file: " + e).at(file.toString(), 0);
        }
    }

    /**
     * A spec from YAML text; {@code sourceName} (a file name) is used in messages and as the default name; a
     * {@code base} file is looked up relative to it.
     */
    public static ExperimentSpec fromYaml(String yaml, String sourceName) {
        return parse(YAML, yaml, Source.named(sourceName));
    }

    /** A spec from JSON text; see {@link #fromYaml}. */
    public static ExperimentSpec fromJson(String json, String sourceName) {
        return parse(JSON, json, Source.named(sourceName));
    }

    /**
     * Applies dotted overrides in order, e.g. {@code train.epochs=5}, {@code model.latent=64},
     * {@code data.root=/data}, {@code data.train_limit=null}; each value is read by its field's type. An unknown
     * path lists the valid keys; the result is validated.
     */
    public static ExperimentSpec override(ExperimentSpec spec, List<String> overrides) {
        return SpecOverrides.apply(spec, overrides);
    }

    /** Throws a {@link SpecException} naming the first field that breaks a rule (sizes, names, ranges). */
    public static void validate(ExperimentSpec spec) {
        SpecValidator.validate(spec);
    }

    /**
     * The spec as YAML, every key written: what a run saves as its {@code config.yaml}. A key whose value is left to
     * be resolved when training starts (the ANN VAE's {@code kld_weight}: NaN in the settings) is left out, as the
     * spec left it, so the file reads back to the same spec and shows no NaN.
     */
    public static String toYaml(ExperimentSpec spec) {
        try {
            ObjectNode tree = tree(spec);
            dropUnresolved(tree);
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the spec as YAML: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Every dotted path an override may set on a spec whose model is of {@code modelType}, in spec order ("name",
     * "model.type", "model.latent", ..., "run.threads").
     */
    public static List<String> paths(String modelType) {
        List<String> out = new ArrayList<>();
        collectPaths(SpecSchema.ROOT, modelType, out);
        return out;
    }

    /** The value at a dotted path: a String, Integer, Long, Double, Boolean, a list of strings, or null. */
    public static Object value(ExperimentSpec spec, String dottedPath) {
        SpecSchema.Key key = SpecSchema.ROOT.find(dottedPath, spec.model().type());
        if (key.kind() == SpecSchema.Kind.SECTION || key.kind() == SpecSchema.Kind.MODEL) {
            throw new SpecException(dottedPath, "is a section, not a value");
        }
        JsonNode node = tree(spec).at("/" + dottedPath.replace('.', '/'));
        if (node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(n.asText()));
            return List.copyOf(items);
        }
        return node.isBoolean() ? (Object) node.booleanValue() : node.numberValue();
    }

    private static void collectPaths(SpecSchema.Section section, String modelType, List<String> out) {
        for (SpecSchema.Key key : section.keys.values()) {
            if (key.kind() == SpecSchema.Kind.SECTION) {
                collectPaths(key.section(), modelType, out);
            } else if (key.kind() == SpecSchema.Kind.MODEL) {
                collectPaths(SpecSchema.modelSection(modelType), modelType, out);
            } else {
                out.add(key.path());
            }
        }
    }

    /** Where spec text came from: a name for messages and the default experiment name, and where bases are found. */
    private record Source(String name, Path file, String resourceFolder, String defaultName) {
        static Source file(Path f) {
            return new Source(f.toString(), f, null, nameOf(f.toString()));
        }

        static Source resource(String resource, String defaultName) {
            return new Source(resource, null, resource.substring(0, resource.lastIndexOf('/') + 1), defaultName);
        }

        static Source named(String sourceName) {
            Path f = sourceName == null ? null : Path.of(sourceName);
            return new Source(sourceName == null ? "spec" : sourceName, f, null, nameOf(sourceName));
        }
    }

    private static ExperimentSpec parse(ObjectMapper mapper, String text, Source source) {
        return parse(mapper, text, source, false).spec();
    }

    /**
     * A spec that describes a family of runs: the spec every run starts from (without its {@code sweep:} section)
     * and that section as written (null when there is none). {@link #text} is the source text, for messages.
     */
    public record WithSweep(ExperimentSpec spec, ObjectNode sweep, String source, String text) {}

    /** A spec file that may have a {@code sweep:} section (the {@code sweep} command reads these). */
    public static WithSweep loadWithSweep(Path file) {
        String lower = file.toString().toLowerCase(Locale.ROOT);
        boolean json = lower.endsWith(".json");
        if (!json && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
            throw new SpecException(null, "unknown spec file type; expected .yaml, .yml or .json").at(file.toString(), 0);
        }
        return parse(json ? JSON : YAML, readFile(file), Source.file(file), true);
    }

    /** A built-in spec, which may have a {@code sweep:} section (the ablations of {@link #builtinSweepNames()}). */
    public static WithSweep builtinWithSweep(String name) {
        String qualified = SWEEPS.contains(name) ? name : qualified(name);
        if (qualified == null) {
            throw new SpecException(null, "no built-in experiment \"" + name + "\"; built-in sweeps: "
                    + String.join(", ", SWEEPS) + "; built-in specs: " + String.join(", ", builtinNames()));
        }
        String resource = BUILTIN_FOLDER + qualified + ".yaml";
        return parse(YAML, resourceText(resource),
                Source.resource(resource, qualified.substring(qualified.lastIndexOf('/') + 1)), true);
    }

    /** Built-in specs with a {@code sweep:} section: the ablations in {@code experiments/ablations/}. */
    public static List<String> builtinSweepNames() {
        return SWEEPS;
    }

    private static WithSweep parse(ObjectMapper mapper, String text, Source source, boolean allowSweep) {
        JsonNode doc = readTree(mapper, text, source.name());
        try {
            ObjectNode resolved = resolveBase((ObjectNode) doc, source, 0);
            JsonNode sweep = resolved.remove("sweep");
            if (sweep != null && !allowSweep) {
                throw new SpecException("sweep", "this spec describes a sweep of runs; start it with `spikevae sweep "
                        + source.name() + "` (train runs a single spec)");
            }
            if (sweep != null && !sweep.isObject()) {
                throw new SpecException("sweep", "expected a mapping (grid, zip, seeds, variants, executor, ...), got "
                        + SpecSchema.show(sweep));
            }
            migrateLegacyKeys(resolved);
            ExperimentSpec spec = bind(SpecSchema.ROOT.normalize(resolved, source.defaultName()));
            SpecValidator.validate(spec);
            return new WithSweep(spec, (ObjectNode) sweep, source.name(), text);
        } catch (SpecException e) {
            if (e.located()) {
                throw e;
            }
            JsonFactory factory = mapper.getFactory();
            throw e.at(source.name(), SourceLines.lineOf(factory, text, e.field()));
        }
    }

    private static JsonNode readTree(ObjectMapper mapper, String text, String source) {
        JsonNode doc;
        try {
            doc = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new SpecException(null, "not valid " + (mapper == JSON ? "JSON" : "YAML") + ": "
                    + oneLine(e.getOriginalMessage())).at(source, line);
        }
        if (doc == null || doc.isMissingNode() || doc.isNull()) {
            throw new SpecException(null, "the spec is empty").at(source, 0);
        }
        if (!doc.isObject()) {
            throw new SpecException(null, "expected a mapping with keys " + String.join(", ", SpecSchema.ROOT.keys.keySet())
                    + ", got " + SpecSchema.show(doc)).at(source, 0);
        }
        return doc;
    }

    /** The document with its {@code base} chain merged in, without the {@code base} key. */
    private static ObjectNode resolveBase(ObjectNode doc, Source source, int depth) {
        JsonNode base = doc.get("base");
        ObjectNode own = doc.deepCopy();
        own.remove("base");
        if (base == null || base.isNull()) {
            return own;
        }
        if (!base.isTextual() || base.textValue().isBlank()) {
            throw new SpecException("base", "expected the name of a built-in spec (" + String.join(", ", builtinNames())
                    + ") or a spec file relative to this one, got " + SpecSchema.show(base));
        }
        if (depth >= MAX_BASE_DEPTH) {
            throw new SpecException("base", "more than " + MAX_BASE_DEPTH + " bases in a chain (a cycle?)");
        }
        String ref = base.textValue().trim();
        ObjectNode parent;
        String lower = ref.toLowerCase(Locale.ROOT);
        boolean file = lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
        if (file && source.resourceFolder() != null) {
            String resource = normalizeResource(source.resourceFolder() + ref);
            Source s = Source.resource(resource, source.defaultName());
            parent = resolveBase((ObjectNode) readTree(YAML, resourceText(resource), resource), s, depth + 1);
        } else if (file) {
            Path dir = source.file() == null || source.file().getParent() == null ? Path.of("") : source.file().getParent();
            Path f = dir.resolve(ref);
            if (!Files.isRegularFile(f)) {
                throw new SpecException("base", "no spec file " + f + " (a base file is relative to the spec that names it)");
            }
            ObjectMapper m = lower.endsWith(".json") ? JSON : YAML;
            parent = resolveBase((ObjectNode) readTree(m, readFile(f), f.toString()), Source.file(f), depth + 1);
        } else {
            String qualified = qualified(ref);
            if (qualified == null) {
                throw new SpecException("base", "no built-in spec \"" + ref + "\"; built-in: " + String.join(", ", builtinNames())
                        + " (or give a .yaml/.json file)");
            }
            String resource = BUILTIN_FOLDER + qualified + ".yaml";
            parent = resolveBase((ObjectNode) readTree(YAML, resourceText(resource), resource),
                    Source.resource(resource, source.defaultName()), depth + 1);
        }
        parent.remove("name"); // a spec is named after itself, not after its base
        JsonNode ownModel = own.get("model");
        JsonNode baseModel = parent.get("model");
        if (ownModel != null && ownModel.isObject() && ownModel.has("type") && baseModel != null
                && !ownModel.get("type").equals(baseModel.get("type"))) {
            parent.remove("model"); // another model type: the base's settings do not apply
        }
        overlay(parent, own);
        return parent;
    }

    private static String normalizeResource(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.equals("..") && !parts.isEmpty()) {
                parts.remove(parts.size() - 1);
            } else if (!p.equals(".") && !p.isEmpty()) {
                parts.add(p);
            }
        }
        return String.join("/", parts);
    }

    /** Copies {@code top} over {@code base}, merging mappings key by key. */
    private static void overlay(ObjectNode base, ObjectNode top) {
        for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode under = base.get(e.getKey());
            if (under != null && under.isObject() && e.getValue().isObject()) {
                overlay((ObjectNode) under, (ObjectNode) e.getValue());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    /** Specs from before model settings moved into the model section keep working (see the class comment). */
    private static void migrateLegacyKeys(ObjectNode doc) {
        JsonNode train = doc.get("train");
        JsonNode model = doc.get("model");
        if (train == null || !train.isObject() || model == null || !model.isObject()) {
            return;
        }
        for (String key : new String[] {"lambda", "prior_lr_scale"}) {
            if (train.has(key)) {
                JsonNode v = ((ObjectNode) train).remove(key);
                if (!model.has(key)) {
                    ((ObjectNode) model).set(key, v);
                }
            }
        }
    }

    /**
     * A model section switched to {@code type}: the keys the new type also has are kept, the rest dropped (the new
     * type's defaults fill in).
     */
    static ObjectNode retype(ObjectNode model, JsonNode type) {
        if (!type.isTextual() || !Models.exists(type.textValue())) {
            throw new SpecException("model.type", "unknown value " + SpecSchema.show(type) + "; expected one of "
                    + String.join(", ", Models.names()));
        }
        if (type.equals(model.get("type"))) {
            return model;
        }
        SpecSchema.Section section = SpecSchema.modelSection(type.textValue());
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.set("type", type);
        for (Iterator<Map.Entry<String, JsonNode>> it = model.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("type") && section.keys.containsKey(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The 1-based line of a dotted key in spec text, or 0 (for messages about a sweep section). */
    public static int lineOf(String text, String dottedPath) {
        return SourceLines.lineOf(YAML.getFactory(), text, dottedPath);
    }

    /** Removes the NaN numbers (values left to be resolved at training time) from a spec tree, at any depth. */
    private static void dropUnresolved(ObjectNode node) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            JsonNode value = it.next().getValue();
            if (value.isNumber() && Double.isNaN(value.doubleValue())) {
                it.remove();
            } else if (value.isObject()) {
                dropUnresolved((ObjectNode) value);
            }
        }
    }

    /** A spec as a Jackson tree with every key present. */
    static ObjectNode tree(ExperimentSpec spec) {
        return YAML.valueToTree(spec);
    }

    /** Binds a tree that {@link SpecSchema} has normalized; that one cannot fail on types or keys. */
    static ExperimentSpec bind(ObjectNode normalized) {
        try {
            return YAML.treeToValue(normalized, ExperimentSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a normalized spec did not bind: " + e.getOriginalMessage(), e);
        }
    }

    /** "runs/exp.yaml" gives "exp": a spec without a name is named after its file. */
    private static String nameOf(String source) {
        if (source == null) {
            return null;
        }
        String file = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /**
     * A parser message on one line. SnakeYAML's messages interleave what went wrong with indented position
     * lines and a source excerpt; the position is reported separately, so only the unindented lines are kept.
     */
    private static String oneLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        List<String> parts = new ArrayList<>();
        for (String line : message.split("\\R")) {
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                parts.add(line.trim());
            }
        }
        return parts.isEmpty() ? message.trim().replaceAll("\\s+", " ") : String.join("; ", parts);
    }
}
