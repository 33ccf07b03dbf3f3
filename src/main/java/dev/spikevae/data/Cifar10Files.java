package dev.spikevae.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CIFAR-10, binary version: {@code <root>/cifar-10-batches-bin/data_batch_1.bin .. data_batch_5.bin}
 * (train) and {@code test_batch.bin} (test). Each file is {@code 10,000} records of 3,073 bytes: the label,
 * then the 1,024 red, 1,024 green and 1,024 blue bytes of a row-major 32x32 image — already CHW, and
 * already the reference's size, so no resize.
 */
final class Cifar10Files {
    static final String FOLDER = "cifar-10-batches-bin";
    static final int SIDE = 32;
    static final int CHANNELS = 3;
    static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;
    static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    static final int RECORDS_PER_FILE = 10_000;
    static final int CLASSES = 10;

    private Cifar10Files() {
    }

    static ImageDataset open(DataRoot root, Split split) {
        if (root.root() == null) {
            throw DataRoot.missing("cifar10", FOLDER + "/ (the CIFAR-10 binary version)");
        }
        Path folder = root.folder(FOLDER);
        if (!Files.isDirectory(folder)) {
            Path python = root.root().resolve("cifar-10-batches-py");
            throw new DatasetException("cifar10: " + folder + " not found"
                    + (Files.isDirectory(python) ? " (" + python + " is the Python version; the binary version is needed)" : ""));
        }
        String[] names = split == Split.TRAIN
                ? new String[] {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                    "data_batch_5.bin"}
                : new String[] {"test_batch.bin"};
        Path[] files = new Path[names.length];
        for (int i = 0; i < names.length; i++) {
            files[i] = folder.resolve(names[i]);
        }
        return read("cifar10/" + split.label(), files, RECORDS_PER_FILE);
    }

    /** Reads the given batch files of {@code recordsPerFile} records each, in order, into one dataset. */
    static ImageDataset read(String name, Path[] files, int recordsPerFile) {
        long expected = (long) recordsPerFile * RECORD_BYTES;
        int count = files.length * recordsPerFile;
        byte[] pixels = new byte[count * IMAGE_BYTES];
        byte[] labels = new byte[count];
        byte[] record = new byte[RECORD_BYTES];
        int n = 0;
        for (Path file : files) {
            checkSize(file, expected, recordsPerFile);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                for (int r = 0; r < recordsPerFile; r++, n++) {
                    if (in.readNBytes(record, 0, RECORD_BYTES) != RECORD_BYTES) {
                        throw new DatasetException(file + ": ended inside record " + r + " (was it changed while being read?)");
                    }
                    int label = record[0] & 0xFF;
                    if (label >= CLASSES) {
                        throw new DatasetException(file + ": label " + label + " of record " + r + " is outside 0.."
                                + (CLASSES - 1));
                    }
                    labels[n] = (byte) label;
                    System.arraycopy(record, 1, pixels, n * IMAGE_BYTES, IMAGE_BYTES);
                }
            } catch (IOException e) {
                throw new DatasetException(file + ": cannot read: " + e, e);
            }
        }
        return new ByteImageDataset(name, pixels, labels, count, CHANNELS, SIDE, SIDE, SIDE, SIDE);
    }

    private static void checkSize(Path file, long expected, int records) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("cifar10: " + file + " not found");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read its size: " + e, e);
        }
        if (size != expected) {
            throw new DatasetException(file + ": " + size + " bytes, expected " + expected + " (" + records
                    + " records of " + RECORD_BYTES + " bytes)");
        }
    }
}
