package dev.spikevae.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;

/**
 * Hydra-style dotted overrides, {@code train.epochs=5}, {@code data.root=/data}, {@code data.train_limit=null}.
 * The text after {@code =} is read by the type of the field it lands on, exactly as a YAML value would be;
 * quote it ({@code name='null'}) to force a literal string.
 */
final class SpecOverrides {

    private SpecOverrides() {}

    static ExperimentSpec apply(ExperimentSpec spec, List<String> overrides) {
        SpecValidator.validate(spec);
        ExperimentSpec current = spec;
        for (int i = 0; i < overrides.size(); i++) {
            String text = overrides.get(i);
            // a switch of model.type takes the model keys that follow it along: the new type's required keys
            // (FSVAE's k, say) are checked once they are all set
            int end = i + 1;
            if (text != null && text.strip().startsWith("model.type=")) {
                while (end < overrides.size() && overrides.get(end) != null
                        && overrides.get(end).strip().startsWith("model.")
                        && !overrides.get(end).strip().startsWith("model.type=")) {
                    end++;
                }
            }
            try {
                current = applyGroup(current, overrides.subList(i, end));
            } catch (SpecException e) {
                throw e.at("override \"" + String.join(" ", overrides.subList(i, end)) + "\"", 0);
            }
            i = end - 1;
        }
        return current;
    }

    private static ExperimentSpec applyGroup(ExperimentSpec spec, List<String> texts) {
        ObjectNode tree = Specs.tree(spec);
        String type = spec.model().type();
        for (String text : texts) {
            type = set(tree, type, text);
        }
        ExperimentSpec result = Specs.bind(SpecSchema.ROOT.normalize(tree, null));
        SpecValidator.validate(result);
        return result;
    }

    /** Sets one override in {@code tree}, whose model is of {@code type}; returns the model type afterwards. */
    private static String set(ObjectNode tree, String type, String text) {
        int eq = text == null ? -1 : text.indexOf('=');
        if (eq < 0 || text.substring(0, eq).isBlank()) {
            throw new SpecException(null, "expected key=value, e.g. train.epochs=5");
        }
        String path = text.substring(0, eq).trim();
        SpecSchema.Key key = SpecSchema.ROOT.find(path, type);
        if (key.kind() == SpecSchema.Kind.SECTION || key.kind() == SpecSchema.Kind.MODEL) {
            throw new SpecException(path, "is a section, not a value; override one of its keys: "
                    + String.join(", ", (key.kind() == SpecSchema.Kind.MODEL
                    ? SpecSchema.modelSection(type) : key.section()).keys.keySet()));
        }
        JsonNode value = valueNode(text.substring(eq + 1).trim());
        if (path.equals("model.type")) {
            tree.set("model", Specs.retype((ObjectNode) tree.get("model"), value));
            return value.asText();
        }
        ObjectNode parent = tree;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            parent = child instanceof ObjectNode o ? o : parent.putObject(parts[i]);
        }
        parent.set(key.name(), value);
        return type;
    }

    /** Unquoted {@code null} is null; a quoted value is that literal string; anything else is typed by its field. */
    private static JsonNode valueNode(String raw) {
        if (raw.length() >= 2 && (raw.startsWith("\"") && raw.endsWith("\"") || raw.startsWith("'") && raw.endsWith("'"))) {
            return TextNode.valueOf(raw.substring(1, raw.length() - 1));
        }
        return raw.equals("null") ? NullNode.getInstance() : TextNode.valueOf(raw);
    }
}
