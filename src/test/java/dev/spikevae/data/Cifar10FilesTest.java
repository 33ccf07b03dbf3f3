package dev.spikevae.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CIFAR-10 binary batches written here: record layout, file order, sizes and errors. */
class Cifar10FilesTest {
    @TempDir
    Path root;

    /** Record r of file f: label (f + r) % 10; channel c filled with (f * 16 + r * 4 + c), pixel 0 of red 255. */
    private static byte[] batchFile(int file, int records) {
        byte[] bytes = new byte[records * 3073];
        for (int r = 0; r < records; r++) {
            int at = r * 3073;
            bytes[at] = (byte) ((file + r) % 10);
            for (int c = 0; c < 3; c++) {
                java.util.Arrays.fill(bytes, at + 1 + c * 1024, at + 1 + (c + 1) * 1024, (byte) (file * 16 + r * 4 + c));
            }
            bytes[at + 1] = (byte) 255;
        }
        return bytes;
    }

    private static float signed(int v) {
        return 2f * (v / 255f) - 1f;
    }

    @Test
    void readsRecordsInFileOrderWithoutResizing() throws IOException {
        Path folder = Files.createDirectories(root.resolve("cifar-10-batches-bin"));
        Path[] files = new Path[5];
        for (int f = 0; f < 5; f++) {
            files[f] = folder.resolve("data_batch_" + (f + 1) + ".bin");
            Files.write(files[f], batchFile(f, 3));
        }
        ImageDataset d = Cifar10Files.read("cifar10/train", files, 3);
        assertEquals(15, d.size());
        assertEquals(3, d.channels());
        assertEquals(32, d.height());
        assertEquals(32, d.width());
        float[] img = new float[3072];
        for (int i = 0; i < 15; i++) {
            int f = i / 3;
            int r = i % 3;
            assertEquals((f + r) % 10, d.label(i), "label " + i);
            d.read(i, img, 0, false);
            assertEquals(signed(255), img[0], 0f);
            for (int c = 0; c < 3; c++) {
                assertEquals(signed(f * 16 + r * 4 + c), img[c * 1024 + 1], 0f, "image " + i + " channel " + c);
                assertEquals(signed(f * 16 + r * 4 + c), img[c * 1024 + 1023], 0f, "image " + i + " channel " + c);
            }
            d.read(i, img, 0, true);
            assertEquals(signed(255), img[31], 0f, "flip moves pixel (0, 0) to (31, 0)");
        }
    }

    @Test
    void fullSizeTestBatchOpensThroughDatasets() throws IOException {
        Path folder = Files.createDirectories(root.resolve("cifar-10-batches-bin"));
        Files.write(folder.resolve("test_batch.bin"), batchFile(2, 10_000));
        ImageDataset d = Datasets.open("cifar10", root, Split.TEST, Map.of(), null);
        assertEquals("cifar10/test", d.name());
        assertEquals(10_000, d.size());
        assertEquals(3, d.label(9_999 - 8)); // (2 + 9991) % 10
        float[] img = new float[3072];
        d.read(5, img, 0, false);
        assertEquals(signed((2 * 16 + 5 * 4 + 2) & 0xFF), img[2 * 1024 + 500], 0f);
    }

    @Test
    void wrongSizeLabelAndMissingFilesAreErrors() throws IOException {
        Path folder = Files.createDirectories(root.resolve("cifar-10-batches-bin"));
        Path test = folder.resolve("test_batch.bin");
        Files.write(test, new byte[3073 * 10]);
        String size = assertThrows(DatasetException.class, () -> Datasets.open("cifar10", root, Split.TEST, Map.of(), null)).getMessage();
        assertTrue(size.contains(test.toString()) && size.contains("30730 bytes") && size.contains("30730000"), size);

        String train = assertThrows(DatasetException.class, () -> Datasets.open("cifar10", root, Split.TRAIN, Map.of(), null)).getMessage();
        assertTrue(train.contains(folder.resolve("data_batch_1.bin").toString()) && train.contains("not found"), train);

        byte[] bad = batchFile(0, 2);
        bad[3073] = 10;
        Path badFile = folder.resolve("data_batch_1.bin");
        Files.write(badFile, bad);
        String label = assertThrows(DatasetException.class, () -> Cifar10Files.read("x", new Path[] {badFile}, 2)).getMessage();
        assertTrue(label.contains(badFile.toString()) && label.contains("label 10") && label.contains("record 1"), label);

        Path empty = Files.createDirectories(root.resolve("empty"));
        Files.createDirectories(empty.resolve("cifar-10-batches-py"));
        String python = assertThrows(DatasetException.class, () -> Datasets.open("cifar10", empty, Split.TEST, Map.of(), null)).getMessage();
        assertTrue(python.contains(empty.resolve("cifar-10-batches-bin").toString()) && python.contains("Python version"), python);

        String noRoot = assertThrows(DatasetException.class, () -> Datasets.open("cifar10", null, Split.TEST, Map.of(), null)).getMessage();
        assertTrue(noRoot.contains("no data root") && noRoot.contains("cifar-10-batches-bin"), noRoot);
    }
}
