package dev.spikevae.model;

/**
 * The complete configuration of a model instance: the spec's settings of its type plus the image shape taken from
 * the data. {@link ModelType#settingsOf} and {@link ModelType#configure} convert between the two, and a checkpoint
 * stores both halves, so a saved model is rebuilt exactly.
 */
public interface ModelConfig {
    /** The registered type name. */
    String type();

    /** Image channels (1 or 3). */
    int inChannels();

    /** Image height and width. */
    int imageSize();
}
