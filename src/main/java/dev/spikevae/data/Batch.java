package dev.spikevae.data;

/**
 * One batch of images: {@code pixels} holds {@code size} images of {@code channels * height * width}
 * floats each (NCHW, values in [-1, 1]); {@code labels[i]} is the class of image i, or -1 if the dataset
 * has none. The arrays belong to the batch: the loader never reuses them.
 */
public record Batch(float[] pixels, int[] labels, int size, int channels, int height, int width) {
    public Batch {
        if (size < 0 || channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("batch of " + size + " images of " + channels + "x" + height + "x"
                    + width + ": sizes must be positive");
        }
        if (pixels.length != size * channels * height * width) {
            throw new IllegalArgumentException("batch pixels hold " + pixels.length + " floats, expected "
                    + size + "*" + channels + "*" + height + "*" + width);
        }
        if (labels.length != size) {
            throw new IllegalArgumentException("batch labels hold " + labels.length + " entries, expected " + size);
        }
    }

    /** Floats per image. */
    public int imageSize() {
        return channels * height * width;
    }
}
