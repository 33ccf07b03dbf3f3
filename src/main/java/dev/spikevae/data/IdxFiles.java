package dev.spikevae.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST, plain or gzip-compressed (by the {@code .gz} suffix).
 * The header is big-endian: a magic number ({@code 0x803} for images, {@code 0x801} for labels), the
 * record count, and for images the rows and columns; then one unsigned byte per pixel or label. Every file
 * is checked whole — magic, dimensions and exact length — so a damaged file fails with a message instead
 * of giving a partial dataset.
 */
final class IdxFiles {
    static final int IMAGES_MAGIC = 0x803;
    static final int LABELS_MAGIC = 0x801;
    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;

    private IdxFiles() {
    }

    /** The decoded images of one IDX file: {@code count} images of {@code rows x cols} bytes. */
    record Images(int count, int rows, int cols, byte[] pixels) {
    }

    /** Reads and checks an image file ({@code idx3-ubyte}). */
    static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            byte[] header = readHeader(file, in, IMAGES_HEADER, "image");
            checkMagic(file, header, IMAGES_MAGIC, "image");
            int count = intAt(header, 4);
            int rows = intAt(header, 8);
            int cols = intAt(header, 12);
            long body = (long) count * rows * cols;
            if (count < 0 || rows <= 0 || cols <= 0 || body > Integer.MAX_VALUE - 64) {
                throw new DatasetException(file + ": implausible IDX image header: " + count + " images of "
                        + rows + "x" + cols);
            }
            String what = count + " images of " + rows + "x" + cols;
            byte[] pixels = readBody(file, in, IMAGES_HEADER, (int) body, what);
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Reads and checks a label file ({@code idx1-ubyte}); every label must be below {@code classes}. */
    static byte[] readLabels(Path file, int classes) {
        try (InputStream in = open(file)) {
            byte[] header = readHeader(file, in, LABELS_HEADER, "label");
            checkMagic(file, header, LABELS_MAGIC, "label");
            int count = intAt(header, 4);
            if (count < 0) {
                throw new DatasetException(file + ": implausible IDX label header: " + count + " labels");
            }
            byte[] labels = readBody(file, in, LABELS_HEADER, count, count + " labels");
            for (int i = 0; i < count; i++) {
                if ((labels[i] & 0xFF) >= classes) {
                    throw new DatasetException(file + ": label " + (labels[i] & 0xFF) + " of record " + i
                            + " is outside 0.." + (classes - 1));
                }
            }
            return labels;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (!file.getFileName().toString().endsWith(".gz")) {
            return raw;
        }
        try {
            return new GZIPInputStream(raw, 1 << 16); // reads the gzip header now
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static byte[] readHeader(Path file, InputStream in, int length, String kind) throws IOException {
        byte[] header = in.readNBytes(length);
        if (header.length < length) {
            throw new DatasetException(file + ": truncated: " + header.length + " bytes, too short for the "
                    + length + "-byte IDX " + kind + " header");
        }
        return header;
    }

    private static void checkMagic(Path file, byte[] header, int expected, String kind) {
        int magic = intAt(header, 0);
        if (magic != expected) {
            throw new DatasetException(file + ": not an IDX " + kind + " file: magic " + hex(magic)
                    + ", expected " + hex(expected));
        }
    }

    /** Reads exactly {@code length} bytes after the header and checks that nothing follows them. */
    private static byte[] readBody(Path file, InputStream in, int header, int length, String what)
            throws IOException {
        byte[] body = in.readNBytes(length);
        long expected = (long) header + length;
        if (body.length < length) {
            throw new DatasetException(file + ": truncated: " + (header + body.length) + " bytes"
                    + decompressed(file) + ", expected " + expected + " (" + header + "-byte header + " + what + ")");
        }
        if (in.read() != -1) {
            throw new DatasetException(file + ": longer than its header says: more than " + expected + " bytes"
                    + decompressed(file) + ", expected " + expected + " (" + header + "-byte header + " + what + ")");
        }
        return body;
    }

    private static String decompressed(Path file) {
        return file.getFileName().toString().endsWith(".gz") ? " decompressed" : "";
    }

    private static DatasetException unreadable(Path file, IOException e) {
        if (e instanceof EOFException) {
            return new DatasetException(file + ": truncated gzip stream (" + e.getMessage() + ")", e);
        }
        if (e instanceof ZipException) {
            return new DatasetException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
        return new DatasetException(file + ": cannot read: " + e, e);
    }

    private static int intAt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
