package dev.spikevae.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * Records as JSON trees whose keys are the components' names in snake_case ({@code priorLrScale} is
 * {@code prior_lr_scale}), the form of model settings in specs and checkpoint sidecars. Reading fills keys left out
 * from a defaults record and refuses unknown keys and mistyped values, naming the dotted key.
 */
public final class SnakeCaseJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private SnakeCaseJson() {
    }

    /** The record as a tree, keys in snake_case, in component order. */
    public static ObjectNode tree(Record value) {
        return MAPPER.valueToTree(value);
    }

    /**
     * The record of {@code type} from {@code node}, keys missing from it taken from {@code defaults}; a wrong key or
     * value is an {@link IllegalArgumentException} whose message starts with the dotted key.
     */
    public static <R extends Record> R read(JsonNode node, Class<R> type, R defaults) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a mapping, got " + (node == null ? "nothing" : node.toString()));
        }
        ObjectNode merged = tree(defaults);
        overlay(merged, (ObjectNode) node);
        try {
            return MAPPER.treeToValue(merged, type);
        } catch (JsonMappingException e) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : e.getPath()) {
                if (r.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
                }
            }
            String what = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage().split("\\R")[0];
            if (what.startsWith("Unrecognized field")) {
                what = "unknown key";
            }
            throw new IllegalArgumentException((path.length() == 0 ? "" : path + ": ") + what, e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
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
}
