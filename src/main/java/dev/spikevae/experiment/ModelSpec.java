package dev.spikevae.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.io.SnakeCaseJson;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.model.ModelType;
import dev.spikevae.model.Models;

import java.util.Objects;

/**
 * The spec's {@code model:} section: a {@code type} from the model registry ({@link Models}) and that type's
 * settings record ({@link ModelType#settingsType()}), whose components are the section's other keys in snake_case —
 * for {@code esvae}: latent, timesteps, spike_storage, neuron, sampler, lambda, prior_lr_scale.
 * In YAML it is one flat mapping: {@code {type: esvae, latent: 32, ...}}.
 */
public final class ModelSpec {
    private final String type;
    private final Record settings;

    public ModelSpec(String type, Record settings) {
        ModelType t = Models.get(type);
        if (settings == null || !t.settingsType().isInstance(settings)) {
            throw new IllegalArgumentException("model type " + type + " takes " + t.settingsType().getSimpleName()
                    + " settings, got " + settings);
        }
        this.type = type;
        this.settings = settings;
    }

    /** Binds a section that {@link SpecSchema} has normalized: {@code type} and every key of the type present. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ModelSpec fromTree(ObjectNode node) {
        String type = node.path("type").asText();
        ModelType t = Models.get(type);
        ObjectNode rest = node.deepCopy();
        rest.remove("type");
        return new ModelSpec(type, read(rest, t));
    }

    private static <R extends Record> R read(JsonNode node, ModelType t) {
        @SuppressWarnings("unchecked")
        Class<R> c = (Class<R>) t.settingsType();
        return SnakeCaseJson.read(node, c, c.cast(t.defaultSettings()));
    }

    /** The section as YAML writes it: {@code type} first, then the settings. */
    @JsonValue
    ObjectNode toTree() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", type);
        n.setAll(SnakeCaseJson.tree(settings));
        return n;
    }

    /** The registered model type name. */
    public String type() {
        return type;
    }

    public ModelType modelType() {
        return Models.get(type);
    }

    /** The type's settings record. */
    public Record settings() {
        return settings;
    }

    /** The settings as the type's own record class. */
    public <R extends Record> R settings(Class<R> type) {
        if (!type.isInstance(settings)) {
            throw new IllegalStateException("model." + this.type + " settings are not " + type.getSimpleName());
        }
        return type.cast(settings);
    }

    /** The model configuration for images of {@code channels} × {@code size} × {@code size}. */
    public ModelConfig configure(int channels, int size) {
        return modelType().configure(settings, channels, size);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && m.type.equals(type) && m.settings.equals(settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, settings);
    }

    @Override
    public String toString() {
        return "model " + type + " " + settings;
    }
}
