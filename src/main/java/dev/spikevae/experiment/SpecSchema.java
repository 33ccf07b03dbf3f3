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

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of a spec, their types and which may be left out, read from the spec records themselves so the
 * two cannot drift apart. It turns a parsed document into a tree Jackson binds without surprises: every key
 * present, every scalar of its field's type, and every problem reported against its dotted field.
 */
final class SpecSchema {

    /** What a key holds. */
    enum Kind {
        STRING("a string"), INT("an integer"), LONG("an integer"), DOUBLE("a number"), BOOLEAN("true or false"),
        SECTION("a mapping");

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
    private static final Map<String, JsonNode> OPTIONAL = Map.of(
            "model.spike_storage", TextNode.valueOf("u8"),
            "data.root", NullNode.getInstance(),
            "data.train_limit", NullNode.getInstance(),
            "data.test_limit", NullNode.getInstance(),
            "run.device", TextNode.valueOf("auto"),
            "run.output", TextNode.valueOf("runs"),
            "run.threads", IntNode.valueOf(0));

    static final Section ROOT = new Section("", ExperimentSpec.class);

    private SpecSchema() {}

    /** A section of the spec (the top level, model, data, train or run) and its keys in record order. */
    static final class Section {
        final String path;
        final Map<String, Key> keys = new LinkedHashMap<>();

        Section(String path, Class<?> record) {
            this.path = path;
            for (RecordComponent c : record.getRecordComponents()) {
                JsonProperty property = c.getAccessor().getAnnotation(JsonProperty.class);
                if (property == null) {
                    throw new IllegalStateException(record.getSimpleName() + "." + c.getName() + " has no @JsonProperty");
                }
                String name = property.value();
                String keyPath = child(name);
                Kind kind = kindOf(c.getType());
                keys.put(name, new Key(name, keyPath, kind, kind == Kind.SECTION ? new Section(keyPath, c.getType()) : null));
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
                            : OPTIONAL.get(key.path());
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

        /** The key at a dotted path below this section; an unknown path names the valid keys where it went wrong. */
        Key find(String dottedPath) {
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
                section = key.section();
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
            case SECTION:
                if (!value.isObject()) {
                    throw new SpecException(key.path(), "expected a mapping of " + String.join(", ", key.section().keys.keySet())
                            + ", got " + show(value));
                }
                return key.section().normalize(value, defaultName);
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
        if (type.isRecord()) {
            return Kind.SECTION;
        }
        throw new IllegalStateException("spec field of unsupported type " + type.getName());
    }
}
