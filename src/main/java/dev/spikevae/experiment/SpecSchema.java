package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.spikevae.io.SnakeCaseJson;
import dev.spikevae.model.ModelType;
import dev.spikevae.model.Models;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The keys of a spec, their types and which may be left out, read from the spec records themselves so the
 * two cannot drift apart. It turns a parsed document into a tree Jackson binds without surprises: every key
 * present, every scalar of its field's type, and every problem reported against its dotted field.
 *
 * <p>The {@code model} section is typed by its {@code type}: its other keys are those of the type's settings
 * record ({@link ModelType#settingsType()}, components in snake_case), and every key but the type's required ones
 * may be left out, taking the type's default (the reference value).
 */
final class SpecSchema {

    /** What a key holds. */
    enum Kind {
        STRING("a string"), INT("an integer"), LONG("an integer"), DOUBLE("a number"), BOOLEAN("true or false"),
        LIST("a list of names, e.g. [mse, fad]"), SECTION("a mapping"), MODEL("a mapping with a type");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }
    }

    /** One key: its name inside its section, its dotted path, and the section it opens when it is one. */
    record Key(String name, String path, Kind kind, Section section) {}

    /**
     * Keys that may be left out, with the value they then take. Only keys whose absence has one obvious meaning
     * are here; everything that changes what is learnt must be written down. The experiment's name defaults to
     * the source's file name, which only the reader knows.
     */
    private static final Map<String, JsonNode> OPTIONAL = Map.ofEntries(
            Map.entry("data.root", NullNode.getInstance()),
            Map.entry("data.train_limit", NullNode.getInstance()),
            Map.entry("data.test_limit", NullNode.getInstance()),
            Map.entry("run.device", TextNode.valueOf("auto")),
            Map.entry("run.output", TextNode.valueOf("runs")),
            Map.entry("run.threads", IntNode.valueOf(0)),
            // the eval section: without it, the test pass after every epoch and nothing else (EvalSpec.DEFAULT)
            Map.entry("eval.metrics", JsonNodeFactory.instance.arrayNode().add("mse")),
            Map.entry("eval.every", IntNode.valueOf(EvalSpec.DEFAULT.every())),
            Map.entry("eval.is_model", NullNode.getInstance()),
            Map.entry("eval.is_splits", IntNode.valueOf(EvalSpec.DEFAULT.isSplits())),
            Map.entry("eval.is_batch", IntNode.valueOf(EvalSpec.DEFAULT.isBatch())),
            Map.entry("eval.fid_model", NullNode.getInstance()),
            Map.entry("eval.fid_stats", NullNode.getInstance()),
            Map.entry("eval.fid_samples", IntNode.valueOf(EvalSpec.DEFAULT.fidSamples())),
            Map.entry("eval.fad_batches", IntNode.valueOf(EvalSpec.DEFAULT.fadBatches())));

    static final Section ROOT = new Section("", ExperimentSpec.class, OPTIONAL::get);

    /** The model section of each type, built on first use. */
    private static final Map<String, Section> MODEL_SECTIONS = new ConcurrentHashMap<>();

    private SpecSchema() {}

    /** The {@code model} section of a model type: {@code type} then the keys of its settings record. */
    static Section modelSection(String type) {
        return MODEL_SECTIONS.computeIfAbsent(type, t -> {
            ModelType mt = Models.get(t);
            JsonNode defaults = SnakeCaseJson.tree(mt.defaultSettings());
            Function<String, JsonNode> optional = path -> {
                String rel = path.substring("model.".length());
                if (mt.requiredSettings().contains(rel)) {
                    return null;
                }
                return defaults.at("/" + rel.replace('.', '/'));
            };
            Section s = new Section("model", mt.settingsType(), p -> {
                JsonNode d = optional.apply(p);
                return d == null || d.isMissingNode() ? null : d;
            });
            Map<String, Key> withType = new LinkedHashMap<>();
            withType.put("type", new Key("type", "model.type", Kind.STRING, null));
            withType.putAll(s.keys);
            s.keys.clear();
            s.keys.putAll(withType);
            return s;
        });
    }

    /** The snake_case key of a record component: its {@code @JsonProperty} name, else its name in snake_case. */
    static String keyName(RecordComponent c) {
        JsonProperty property = c.getAccessor().getAnnotation(JsonProperty.class);
        if (property != null) {
            return property.value();
        }
        StringBuilder sb = new StringBuilder();
        for (char ch : c.getName().toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** A section of the spec (the top level, model, data, train or run) and its keys in record order. */
    static final class Section {
        final String path;
        final Map<String, Key> keys = new LinkedHashMap<>();
        /** The value a left-out key takes, by dotted path; null when the key is required. */
        private final Function<String, JsonNode> optional;

        Section(String path, Class<?> record, Function<String, JsonNode> optional) {
            this.path = path;
            this.optional = optional;
            for (RecordComponent c : record.getRecordComponents()) {
                String name = keyName(c);
                String keyPath = child(name);
                Kind kind = kindOf(c.getType());
                keys.put(name, new Key(name, keyPath, kind,
                        kind == Kind.SECTION ? new Section(keyPath, c.getType(), optional) : null));
            }
        }

        String child(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        /** "valid keys of train are a, b" or "valid top-level keys are ...", for messages about a wrong key. */
        String validKeys() {
            return (path.isEmpty() ? "valid top-level keys are " : "valid keys of " + path + " are ")
                    + String.join(", ", keys.keySet());
        }

        /** Checks one section of a document and returns it with defaults filled in and scalars typed. */
        ObjectNode normalize(JsonNode in, String defaultName) {
            for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!keys.containsKey(name)) {
                    throw new SpecException(child(name), "unknown key; " + validKeys());
                }
            }
            List<String> missing = new ArrayList<>();
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Key key : keys.values()) {
                JsonNode value = in.get(key.name());
                if (value == null) {
                    value = key.path().equals("name") && defaultName != null ? TextNode.valueOf(defaultName)
                            : optional.apply(key.path());
                    if (value == null && key.kind() == Kind.SECTION && key.section().allOptional()) {
                        value = JsonNodeFactory.instance.objectNode(); // a section whose keys all have defaults
                    }
                }
                if (value == null) {
                    missing.add(key.name());
                } else {
                    out.set(key.name(), typed(key, value, defaultName));
                }
            }
            if (missing.size() == 1) {
                throw new SpecException(child(missing.get(0)), "required key is missing");
            }
            if (!missing.isEmpty()) {
                throw new SpecException(path.isEmpty() ? null : path, "required keys are missing: " + String.join(", ", missing));
            }
            return out;
        }

        /** Whether every key of this section (and its sub-sections) may be left out. */
        boolean allOptional() {
            for (Key k : keys.values()) {
                boolean ok = k.kind() == Kind.SECTION ? k.section().allOptional() : optional.apply(k.path()) != null;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The key at a dotted path below this section; an unknown path names the valid keys where it went wrong.
         * Keys below {@code model} are those of {@code modelType}.
         */
        Key find(String dottedPath, String modelType) {
            Section section = this;
            String[] parts = dottedPath.split("\\.", -1);
            Key key = null;
            for (int i = 0; i < parts.length; i++) {
                if (section == null) {
                    throw new SpecException(dottedPath, "unknown key; " + key.path() + " is a single value, not a section");
                }
                key = section.keys.get(parts[i]);
                if (key == null) {
                    throw new SpecException(dottedPath, "unknown key; " + section.validKeys());
                }
                section = key.kind() == Kind.MODEL ? modelSection(modelType) : key.section();
            }
            return key;
        }
    }

    /** The value of a key, converted to the key's type; YAML's loose scalars ("10", true) are accepted where unambiguous. */
    private static JsonNode typed(Key key, JsonNode value, String defaultName) {
        if (value.isNull()) {
            if (isNullable(key)) {
                return value;
            }
            throw wrongType(key, value);
        }
        switch (key.kind()) {
            case MODEL:
                return normalizeModel(key, value, defaultName);
            case SECTION:
                if (!value.isObject()) {
                    throw new SpecException(key.path(), "expected a mapping of " + String.join(", ", key.section().keys.keySet())
                            + ", got " + show(value));
                }
                return key.section().normalize(value, defaultName);
            case LIST:
                return list(key, value);
            case STRING:
                if (value.isValueNode()) {
                    return TextNode.valueOf(value.asText());
                }
                throw wrongType(key, value);
            case INT:
                if (value.isIntegralNumber() && value.canConvertToInt()) {
                    return IntNode.valueOf(value.intValue());
                }
                if (value.isTextual()) {
                    try {
                        return IntNode.valueOf(Integer.parseInt(value.textValue().trim()));
                    } catch (NumberFormatException e) {
                        throw wrongType(key, value);
                    }
                }
                throw wrongType(key, value);
            case LONG:
                if (value.isIntegralNumber() && value.canConvertToLong()) {
                    return LongNode.valueOf(value.longValue());
                }
                if (value.isTextual()) {
                    try {
                        return LongNode.valueOf(Long.parseLong(value.textValue().trim()));
                    } catch (NumberFormatException e) {
                        throw wrongType(key, value);
                    }
                }
                throw wrongType(key, value);
            case DOUBLE:
                if (value.isNumber()) {
                    return DoubleNode.valueOf(value.doubleValue());
                }
                if (value.isTextual()) {
                    try {
                        return DoubleNode.valueOf(Double.parseDouble(value.textValue().trim()));
                    } catch (NumberFormatException e) {
                        throw wrongType(key, value);
                    }
                }
                throw wrongType(key, value);
            case BOOLEAN:
                if (value.isBoolean()) {
                    return value;
                }
                if (value.isTextual() && (value.textValue().equals("true") || value.textValue().equals("false"))) {
                    return BooleanNode.valueOf(value.textValue().equals("true"));
                }
                throw wrongType(key, value);
            default:
                throw new IllegalStateException("unhandled kind " + key.kind());
        }
    }

    /**
     * A list of names: a YAML sequence of scalars, or (as an override writes it) one text {@code a,b} or
     * {@code [a, b]}.
     */
    private static JsonNode list(Key key, JsonNode value) {
        com.fasterxml.jackson.databind.node.ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isValueNode() || item.isNull()) {
                    throw wrongType(key, value);
                }
                out.add(item.asText().strip());
            }
            return out;
        }
        if (value.isTextual()) {
            String text = value.textValue().strip();
            if (text.startsWith("[") && text.endsWith("]")) {
                text = text.substring(1, text.length() - 1);
            }
            for (String part : text.split(",", -1)) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
            return out;
        }
        throw wrongType(key, value);
    }

    /** The model section: its type first (which decides the other keys), then the type's keys. */
    private static JsonNode normalizeModel(Key key, JsonNode value, String defaultName) {
        if (!value.isObject()) {
            throw new SpecException(key.path(), "expected a mapping with a type (one of " + String.join(", ", Models.names())
                    + ") and its settings, got " + show(value));
        }
        JsonNode type = value.get("type");
        if (type == null) {
            throw new SpecException("model.type", "required key is missing; one of " + String.join(", ", Models.names()));
        }
        if (!type.isTextual() || !Models.exists(type.textValue())) {
            throw new SpecException("model.type", "unknown value " + show(type) + "; expected one of "
                    + String.join(", ", Models.names()));
        }
        return modelSection(type.textValue()).normalize(value, defaultName);
    }

    /** Whether a key may hold null: exactly the optional keys whose default is null (data.root, the limits). */
    static boolean isNullable(Key key) {
        JsonNode fallback = OPTIONAL.get(key.path());
        return fallback != null && fallback.isNull();
    }

    private static SpecException wrongType(Key key, JsonNode value) {
        return new SpecException(key.path(), "expected " + key.kind().expected + ", got " + show(value));
    }

    /** A value as it appears in a message: JSON text, strings quoted, cut short when long. */
    static String show(JsonNode value) {
        String text = value.toString();
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static Kind kindOf(Class<?> type) {
        if (type == String.class) {
            return Kind.STRING;
        }
        if (type == int.class || type == Integer.class) {
            return Kind.INT;
        }
        if (type == long.class || type == Long.class) {
            return Kind.LONG;
        }
        if (type == double.class || type == Double.class) {
            return Kind.DOUBLE;
        }
        if (type == boolean.class || type == Boolean.class) {
            return Kind.BOOLEAN;
        }
        if (type == List.class) {
            return Kind.LIST;
        }
        if (type == ModelSpec.class) {
            return Kind.MODEL;
        }
        if (type.isRecord()) {
            return Kind.SECTION;
        }
        throw new IllegalStateException("spec field of unsupported type " + type.getName());
    }
}
