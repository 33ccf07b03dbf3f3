package dev.spikevae.data;

/**
 * A random-access image dataset, already preprocessed as the reference does it: CHW floats in [-1, 1].
 * Reads are thread-safe, so a loader may read from several threads at once.
 */
public interface ImageDataset {
    /** A short name, e.g. {@code fashion-mnist/train}. */
    String name();

    int size();

    /** Channels after preprocessing (1 or 3). */
    int channels();

    /** Height after preprocessing, e.g. 32. */
    int height();

    /** Width after preprocessing, e.g. 32. */
    int width();

    /**
     * Writes image {@code index} ({@code channels * height * width} floats in [-1, 1], CHW) into
     * {@code dst} from {@code offset}; {@code flip} mirrors it horizontally.
     */
    void read(int index, float[] dst, int offset, boolean flip);

    /** The class label of image {@code index}, or -1 if the dataset has none. */
    int label(int index);

    /** Floats per image: {@code channels * height * width}. */
    default int imageSize() {
        return channels() * height() * width();
    }
}
