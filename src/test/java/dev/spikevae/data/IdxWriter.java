package dev.spikevae.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for the tests, plain or gzip-compressed (by the file name's {@code .gz}). */
final class IdxWriter {
    private IdxWriter() {
    }

    /** The bytes of an image file: header (magic, count, rows, cols) then the pixels. */
    static byte[] images(int magic, int count, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(magic).putInt(count).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    /** The bytes of a label file: header (magic, count) then the labels. */
    static byte[] labels(int magic, int count, byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(magic).putInt(count).put(labels);
        return b.array();
    }

    /** Writes {@code content} to {@code file}, gzip-compressed if the name ends in {@code .gz}. */
    static Path write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, file.getFileName().toString().endsWith(".gz") ? gzip(content) : content);
        return file;
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes a split of {@code values.length} 28x28 images, image i filled with {@code values[i]} except
     * its top-left pixel, which is 255 - values[i] (so a mirror or a mix-up of images shows).
     */
    static void writeSplit(Path folder, String prefix, int[] values, int[] labels, boolean gz) throws IOException {
        byte[] pixels = new byte[values.length * 784];
        byte[] labelBytes = new byte[labels.length];
        for (int i = 0; i < values.length; i++) {
            java.util.Arrays.fill(pixels, i * 784, (i + 1) * 784, (byte) values[i]);
            pixels[i * 784] = (byte) (255 - values[i]);
        }
        for (int i = 0; i < labels.length; i++) {
            labelBytes[i] = (byte) labels[i];
        }
        String suffix = gz ? ".gz" : "";
        write(folder.resolve(prefix + "-images-idx3-ubyte" + suffix), images(0x803, values.length, 28, 28, pixels));
        write(folder.resolve(prefix + "-labels-idx1-ubyte" + suffix), labels(0x801, labels.length, labelBytes));
    }
}
