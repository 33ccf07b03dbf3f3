package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link ModelType} from its parts: its name and help line, its settings record and configuration class (with the
 * checks that a record or configuration handed in is of this type), the image sizes its architecture takes, and the
 * four bindings every type has: how its settings are checked, how a configuration is made from them and gives them
 * back, and how a model is built. A type adds its published checkpoint keys.
 *
 * @param <S> the settings record of the spec's {@code model:} section
 * @param <C> the configuration made from the settings and the image shape
 */
abstract class TypedModelType<S extends Record, C extends ModelConfig> implements ModelType {
    /** The configuration for images of {@code inChannels} × {@code imageSize} × {@code imageSize}: its constructor. */
    @FunctionalInterface
    interface ConfigMaker<S, C> {
        C make(int inChannels, int imageSize, S settings);
    }

    /** A new model with initial values drawn from {@code init}: the model's factory. */
    @FunctionalInterface
    interface ModelMaker<C> {
        GenerativeModel make(Backend backend, C config, Rng init);
    }

    private final String name;
    private final String label;
    private final String description;
    private final Class<S> settingsClass;
    private final Class<C> configClass;
    private final S defaults;
    private final Set<String> required;
    private final Consumer<S> check;
    private final ConfigMaker<S, C> makeConfig;
    private final Function<C, S> settingsIn;
    private final ModelMaker<C> build;

    /**
     * @param label      the model's name in messages ("ESVAE", "the ANN VAE")
     * @param check      checks every rule of the settings, throwing a {@link SettingsException} naming the first
     *                   broken key
     * @param makeConfig the configuration for a size the type takes
     * @param settingsIn the settings a configuration was made from
     * @param build      a new model of a configuration
     */
    TypedModelType(String name, String label, String description, Class<S> settingsClass, Class<C> configClass,
                   S defaults, Set<String> required, Consumer<S> check, ConfigMaker<S, C> makeConfig,
                   Function<C, S> settingsIn, ModelMaker<C> build) {
        this.name = name;
        this.label = label;
        this.description = description;
        this.settingsClass = settingsClass;
        this.configClass = configClass;
        this.defaults = defaults;
        this.required = Set.copyOf(required);
        this.check = check;
        this.makeConfig = makeConfig;
        this.settingsIn = settingsIn;
        this.build = build;
    }

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
        check.accept(settings(settings));
    }

    /** Every model so far has the small (32×32) and the large (64×64) architecture of docs/reference.md §1. */
    @Override
    public final ModelConfig configure(Record settings, int inChannels, int imageSize) {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException(label + " takes 32×32 or 64×64 images (the data gives " + imageSize + "×"
                    + imageSize + ")");
        }
        return makeConfig.make(inChannels, imageSize, settings(settings));
    }

    @Override
    public final Record settingsOf(ModelConfig config) {
        return settingsIn.apply(config(config));
    }

    @Override
    public final GenerativeModel create(Backend backend, ModelConfig config, Rng init) {
        return build.make(backend, config(config), init);
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
