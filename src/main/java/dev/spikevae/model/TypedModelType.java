package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.util.Set;

/**
 * The part of a {@link ModelType} every type writes the same way: its name and help line, its settings record and
 * configuration class (with the checks that a record or configuration handed in is of this type), and the image
 * sizes its architecture takes. A type adds how its settings are checked, how a configuration and a model are made,
 * and its published checkpoint keys.
 *
 * @param <S> the settings record of the spec's {@code model:} section
 * @param <C> the configuration made from the settings and the image shape
 */
abstract class TypedModelType<S extends Record, C extends ModelConfig> implements ModelType {
    private final String name;
    private final String label;
    private final String description;
    private final Class<S> settingsClass;
    private final Class<C> configClass;
    private final S defaults;
    private final Set<String> required;

    /**
     * @param label the model's name in messages ("ESVAE", "the ANN VAE")
     */
    TypedModelType(String name, String label, String description, Class<S> settingsClass, Class<C> configClass,
                   S defaults, Set<String> required) {
        this.name = name;
        this.label = label;
        this.description = description;
        this.settingsClass = settingsClass;
        this.configClass = configClass;
        this.defaults = defaults;
        this.required = Set.copyOf(required);
    }

    /** Checks every rule of the settings, throwing a {@link SettingsException} naming the first broken key. */
    abstract void check(S settings);

    /** The configuration for images of {@code inChannels} × {@code imageSize} × {@code imageSize} (a size it takes). */
    abstract C makeConfig(S settings, int inChannels, int imageSize);

    /** The settings a configuration was made from. */
    abstract S settingsIn(C config);

    /** A new model with initial values drawn from {@code init}. */
    abstract GenerativeModel build(Backend backend, C config, Rng init);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final Class<? extends Record> settingsType() {
        return settingsClass;
    }

    @Override
    public final Record defaultSettings() {
        return defaults;
    }

    @Override
    public final Set<String> requiredSettings() {
        return required;
    }

    @Override
    public final void validate(Record settings) {
        check(settings(settings));
    }

    /** Every model so far has the small (32×32) and the large (64×64) architecture of docs/reference.md §1. */
    @Override
    public final ModelConfig configure(Record settings, int inChannels, int imageSize) {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException(label + " takes 32×32 or 64×64 images (the data gives " + imageSize + "×"
                    + imageSize + ")");
        }
        return makeConfig(settings(settings), inChannels, imageSize);
    }

    @Override
    public final Record settingsOf(ModelConfig config) {
        return settingsIn(config(config));
    }

    @Override
    public final GenerativeModel create(Backend backend, ModelConfig config, Rng init) {
        return build(backend, config(config), init);
    }

    private S settings(Record r) {
        if (!settingsClass.isInstance(r)) {
            throw new IllegalArgumentException(name + ": expected settings of " + label + ", got " + r);
        }
        return settingsClass.cast(r);
    }

    private C config(ModelConfig c) {
        if (!configClass.isInstance(c)) {
            throw new IllegalArgumentException(name + ": expected a configuration of " + label + ", got a " + c.type()
                    + " one");
        }
        return configClass.cast(c);
    }
}
