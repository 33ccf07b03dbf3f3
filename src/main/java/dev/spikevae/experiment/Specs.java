package dev.spikevae.experiment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reading, overriding, validating and writing {@link ExperimentSpec}s. Everything that returns a spec returns
 * a valid one; every problem is a {@link SpecException} (an {@code IllegalArgumentException}) whose one-line
 * message names the source, the line when known, and the dotted field.
 */
public final class Specs {

    /** Built-in specs, resources {@code experiments/esvae/<name>.yaml}. */
    private static final List<String> BUILTINS =
            List.of("mnist", "fashion-mnist", "cifar10", "celeba", "digits", "fashion-mnist-quality");
    private static final String BUILTIN_FOLDER = "experiments/esvae/";

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
        if (!BUILTINS.contains(name)) {
            throw new SpecException(null, "no built-in experiment \"" + name + "\"; built-in: " + String.join(", ", BUILTINS));
        }
        String resource = BUILTIN_FOLDER + name + ".yaml";
        try (InputStream in = Specs.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the classpath");
            }
            return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    /** Names {@link #builtin} accepts. */
    public static List<String> builtinNames() {
        return BUILTINS;
    }

    /** A spec file, {@code .yaml}, {@code .yml} or {@code .json}; the experiment's name defaults to the file's name. */
    public static ExperimentSpec load(Path file) {
        String source = file.toString();
        String lower = source.toLowerCase(Locale.ROOT);
        boolean json = lower.endsWith(".json");
        if (!json && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
            throw new SpecException(null, "unknown spec file type; expected .yaml, .yml or .json").at(source, 0);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(null, "no such spec file").at(source, 0);
        } catch (IOException e) {
            throw new SpecException(null, "cannot read the spec file: " + e).at(source, 0);
        }
        return parse(json ? JSON : YAML, text, source);
    }

    /** A spec from YAML text; {@code sourceName} (a file name) is used in messages and as the default name. */
    public static ExperimentSpec fromYaml(String yaml, String sourceName) {
        return parse(YAML, yaml, sourceName);
    }

    /** A spec from JSON text; {@code sourceName} (a file name) is used in messages and as the default name. */
    public static ExperimentSpec fromJson(String json, String sourceName) {
        return parse(JSON, json, sourceName);
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

    /** The spec as YAML, every key written: what a run saves as its {@code config.yaml}. */
    public static String toYaml(ExperimentSpec spec) {
        try {
            return YAML.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the spec as YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** Every dotted path an override may set, in spec order ("name", "model.type", ..., "run.threads"). */
    public static List<String> paths() {
        List<String> out = new ArrayList<>();
        collectPaths(SpecSchema.ROOT, out);
        return out;
    }

    /** The value at a dotted path: a String, Integer, Long, Double, Boolean, or null. */
    public static Object value(ExperimentSpec spec, String dottedPath) {
        SpecSchema.Key key = SpecSchema.ROOT.find(dottedPath);
        if (key.kind() == SpecSchema.Kind.SECTION) {
            throw new SpecException(dottedPath, "is a section, not a value");
        }
        JsonNode node = tree(spec).at("/" + dottedPath.replace('.', '/'));
        if (node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        return node.isBoolean() ? (Object) node.booleanValue() : node.numberValue();
    }

    private static void collectPaths(SpecSchema.Section section, List<String> out) {
        for (SpecSchema.Key key : section.keys.values()) {
            if (key.kind() == SpecSchema.Kind.SECTION) {
                collectPaths(key.section(), out);
            } else {
                out.add(key.path());
            }
        }
    }

    private static ExperimentSpec parse(ObjectMapper mapper, String text, String sourceName) {
        String source = sourceName == null ? "spec" : sourceName;
        JsonNode doc;
        try {
            doc = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new SpecException(null, "not valid " + (mapper == JSON ? "JSON" : "YAML") + ": " + oneLine(e.getOriginalMessage()))
                    .at(source, line);
        }
        try {
            if (doc == null || doc.isMissingNode() || doc.isNull()) {
                throw new SpecException(null, "the spec is empty");
            }
            if (!doc.isObject()) {
                throw new SpecException(null, "expected a mapping with keys " + String.join(", ", SpecSchema.ROOT.keys.keySet())
                        + ", got " + SpecSchema.show(doc));
            }
            ExperimentSpec spec = bind(SpecSchema.ROOT.normalize(doc, defaultName(sourceName)));
            SpecValidator.validate(spec);
            return spec;
        } catch (SpecException e) {
            JsonFactory factory = mapper.getFactory();
            throw e.at(source, SourceLines.lineOf(factory, text, e.field()));
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
    private static String defaultName(String source) {
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
