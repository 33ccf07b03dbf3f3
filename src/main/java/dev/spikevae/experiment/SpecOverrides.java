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
        for (String text : overrides) {
            try {
                current = applyOne(current, text);
            } catch (SpecException e) {
                throw e.at("override \"" + text + "\"", 0);
            }
        }
        return current;
    }

    private static ExperimentSpec applyOne(ExperimentSpec spec, String text) {
        int eq = text == null ? -1 : text.indexOf('=');
        if (eq < 0 || text.substring(0, eq).isBlank()) {
            throw new SpecException(null, "expected key=value, e.g. train.epochs=5");
        }
        String path = text.substring(0, eq).trim();
        SpecSchema.Key key = SpecSchema.ROOT.find(path, spec.model().type());
        if (key.kind() == SpecSchema.Kind.SECTION || key.kind() == SpecSchema.Kind.MODEL) {
            throw new SpecException(path, "is a section, not a value; override one of its keys: "
                    + String.join(", ", (key.kind() == SpecSchema.Kind.MODEL
                    ? SpecSchema.modelSection(spec.model().type()) : key.section()).keys.keySet()));
        }
        ObjectNode tree = Specs.tree(spec);
        JsonNode value = valueNode(text.substring(eq + 1).trim());
        if (path.equals("model.type")) {
            tree.set("model", Specs.retype((ObjectNode) tree.get("model"), value));
        } else {
            ObjectNode parent = tree;
            String[] parts = path.split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                parent = (ObjectNode) parent.get(parts[i]);
            }
            parent.set(key.name(), value);
        }
        ExperimentSpec result = Specs.bind(SpecSchema.ROOT.normalize(tree, null));
        SpecValidator.validate(result);
        return result;
    }

    /** Unquoted {@code null} is null; a quoted value is that literal string; anything else is typed by its field. */
    private static JsonNode valueNode(String raw) {
        if (raw.length() >= 2 && (raw.startsWith("\"") && raw.endsWith("\"") || raw.startsWith("'") && raw.endsWith("'"))) {
            return TextNode.valueOf(raw.substring(1, raw.length() - 1));
        }
        return raw.equals("null") ? NullNode.getInstance() : TextNode.valueOf(raw);
    }
}
