package dev.spikevae.data;

/** Which part of a dataset: the training images or the held-out test images. */
public enum Split {
    TRAIN, TEST;

    /** "train" or "test", as used in dataset names such as {@code fashion-mnist/train}. */
    public String label() {
        return this == TRAIN ? "train" : "test";
    }
}
