package dev.spikevae.data;

import java.util.Objects;

/**
 * Images held in memory as 8-bit CHW planes (MNIST, Fashion-MNIST, CIFAR-10, the embedded digits),
 * preprocessed on every read: resampled with {@link Resize} when the stored size differs from the output
 * size, then scaled to [-1, 1]. Keeping bytes costs a quarter of the memory of floats (60,000 MNIST
 * images take 47 MB instead of 245 MB), and the resize of one small image is cheap.
 */
final class ByteImageDataset implements ImageDataset {
    private final String name;
    private final byte[] pixels;
    private final byte[] labels;
    private final int count;
    private final int channels;
    private final int storedHeight;
    private final int storedWidth;
    private final int height;
    private final int width;
    private final Resize resize;

    /**
     * @param pixels  {@code count} images of {@code channels x storedHeight x storedWidth} bytes, CHW
     * @param labels  one label byte (0..255) per image, or null when the dataset has no labels
     */
    ByteImageDataset(String name, byte[] pixels, byte[] labels, int count, int channels, int storedHeight,
                     int storedWidth, int height, int width) {
        this.name = Objects.requireNonNull(name);
        this.pixels = Objects.requireNonNull(pixels);
        this.labels = labels;
        this.count = count;
        this.channels = channels;
        this.storedHeight = storedHeight;
        this.storedWidth = storedWidth;
        this.height = height;
        this.width = width;
        if ((long) count * channels * storedHeight * storedWidth != pixels.length) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes for " + count
                    + " images of " + channels + "x" + storedHeight + "x" + storedWidth);
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + count + " images");
        }
        this.resize = storedHeight == height && storedWidth == width ? null
                : Resize.bilinear(storedWidth, storedHeight, width, height);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public void read(int index, float[] dst, int offset, boolean flip) {
        IndexCheck.check(name, index, count);
        int storedPlane = storedHeight * storedWidth;
        byte[] resized = resize == null ? null : new byte[height * width];
        for (int c = 0; c < channels; c++) {
            int src = (index * channels + c) * storedPlane;
            int dstPlane = offset + c * height * width;
            if (resize == null) {
                PixelScale.writePlane(pixels, src, height, width, dst, dstPlane, flip);
            } else {
                resize.apply(pixels, src, resized, 0);
                PixelScale.writePlane(resized, 0, height, width, dst, dstPlane, flip);
            }
        }
    }

    @Override
    public int label(int index) {
        IndexCheck.check(name, index, count);
        return labels == null ? -1 : labels[index] & 0xFF;
    }
}
