package dev.spikevae.model;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;

import java.util.Set;

/**
 * A kind of model as specs, checkpoints and commands know it: its name, the settings of its spec section (a record
 * whose components, in snake_case, are the keys of {@code model:}), how settings and an image shape make a
 * {@link ModelConfig}, how a config makes a model, and how the published checkpoints of the model are read.
 * {@link Models} holds one per type.
 */
public interface ModelType {
    /** The spec's {@code model.type}. */
    String name();

    /** One line for help texts. */
    String description();

    /** The record of the spec's model section; nested records are sub-sections ({@code neuron:}). */
    Class<? extends Record> settingsType();

    /** The value every key takes when a spec leaves it out (the reference settings). */
    Record defaultSettings();

    /** Top-level keys a spec must write down (they change what is learnt and have no single obvious value). */
    Set<String> requiredSettings();

    /** Checks every rule the settings must meet, throwing a {@link SettingsException} naming the first broken key. */
    void validate(Record settings);

    /** The configuration for images of {@code inChannels} × {@code imageSize} × {@code imageSize}. */
    ModelConfig configure(Record settings, int inChannels, int imageSize);

    /** The settings a configuration was made from ({@code configure(settingsOf(c), ...)} gives {@code c} back). */
    Record settingsOf(ModelConfig config);

    /** A new model with initial values drawn from {@code init}. */
    GenerativeModel create(Backend backend, ModelConfig config, Rng init);

    /** How the published implementation's state-dict keys map onto this model's. */
    ReferenceKeys referenceKeys();
}
