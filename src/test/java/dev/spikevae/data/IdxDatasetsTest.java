package dev.spikevae.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MNIST and Fashion-MNIST from IDX files written here: layouts, gzip, values, labels and every error. */
class IdxDatasetsTest {
    private static final Map<String, String> NO_ENV = Map.of();

    @TempDir
    Path root;

    private ImageDataset open(String name, Split split) {
        return Datasets.open(name, root, split, NO_ENV, null);
    }

    private static String fail(Runnable r) {
        return assertThrows(DatasetException.class, r::run).getMessage();
    }

    /** Checks sizes, labels and values of images written by {@link IdxWriter#writeSplit}. */
    private static void checkSplit(ImageDataset d, String name, int[] values, int[] labels) {
        assertEquals(name, d.name());
        assertEquals(values.length, d.size());
        assertEquals(1, d.channels());
        assertEquals(32, d.height());
        assertEquals(32, d.width());
        float[] img = new float[1024];
        for (int i = 0; i < values.length; i++) {
            assertEquals(labels[i], d.label(i), "label " + i);
            d.read(i, img, 0, false);
            float v = 2f * (values[i] / 255f) - 1f;
            // Pixel (31, 31) sees only the constant part; pixel (0, 0) mostly the odd top-left source pixel.
            assertEquals(v, img[1023], 0f, "image " + i + " far corner");
            float odd = 2f * ((255 - values[i]) / 255f) - 1f;
            assertTrue(Math.abs(img[0] - odd) < Math.abs(img[0] - v) || values[i] == 255 - values[i],
                    "image " + i + ": top-left pixel " + img[0] + " should lean to " + odd);
        }
    }

    @Test
    void readsBothMnistLayoutsPlainAndGzip() throws IOException {
        int[] values = {0, 51, 255};
        int[] labels = {3, 7, 9};
        IdxWriter.writeSplit(root.resolve("mnist"), "train", values, labels, false);
        checkSplit(open("mnist", Split.TRAIN), "mnist/train", values, labels);

        Path other = root.resolve("elsewhere");
        int[] testValues = {200, 10};
        int[] testLabels = {0, 1};
        IdxWriter.writeSplit(other.resolve("MNIST/raw"), "t10k", testValues, testLabels, true);
        checkSplit(Datasets.open("mnist", other, Split.TEST, NO_ENV, null), "mnist/test", testValues, testLabels);
    }

    @Test
    void theRootMayBeTheDatasetFolderItself() throws IOException {
        int[] values = {8, 250};
        int[] labels = {2, 6};
        Path folder = root.resolve("fashion-mnist");
        IdxWriter.writeSplit(folder, "t10k", values, labels, false);
        checkSplit(Datasets.open("fashion-mnist", folder, Split.TEST, NO_ENV, null), "fashion-mnist/test", values, labels);
    }

    @Test
    void readsBothFashionMnistLayoutsAndTheEnvironmentRoot() throws IOException {
        int[] values = {17, 99};
        int[] labels = {5, 4};
        IdxWriter.writeSplit(root.resolve("fashion-mnist"), "t10k", values, labels, true);
        checkSplit(open("fashion-mnist", Split.TEST), "fashion-mnist/test", values, labels);

        Path torchvision = root.resolve("tv");
        IdxWriter.writeSplit(torchvision.resolve("FashionMNIST/raw"), "train", values, labels, false);
        // No root given: $SPIKEVAE_DATA is used.
        ImageDataset d = Datasets.open("fashion-mnist", null, Split.TRAIN, Map.of("SPIKEVAE_DATA", torchvision.toString()), null);
        checkSplit(d, "fashion-mnist/train", values, labels);
    }

    @Test
    void fashionMnistFallsBackToTheDebianFolderOnlyWithoutAnExplicitRoot() throws IOException {
        Path debian = root.resolve("usr/share/datasets/fashion-mnist");
        IdxWriter.writeSplit(debian, "train", new int[] {1}, new int[] {2}, true);
        assertEquals(1, Datasets.open("fashion-mnist", null, Split.TRAIN, NO_ENV, debian).size());
        // An environment root without the data still falls back to the Debian folder.
        Path empty = Files.createDirectories(root.resolve("empty"));
        assertEquals(1, Datasets.open("fashion-mnist", null, Split.TRAIN, Map.of("SPIKEVAE_DATA", empty.toString()), debian).size());
        // An explicit root is the only place looked at.
        String msg = fail(() -> Datasets.open("fashion-mnist", empty, Split.TRAIN, NO_ENV, debian));
        assertTrue(msg.contains(empty.resolve("fashion-mnist").toString()) && msg.contains(empty.resolve("FashionMNIST/raw").toString()), msg);
        assertTrue(!msg.contains(debian.toString()), msg);
        // MNIST never looks there.
        assertTrue(fail(() -> Datasets.open("mnist", null, Split.TRAIN, NO_ENV, debian)).contains("no data root"));
    }

    @Test
    void flipMirrorsEachRow() throws IOException {
        IdxWriter.writeSplit(root.resolve("mnist"), "train", new int[] {40}, new int[] {1}, false);
        ImageDataset d = open("mnist", Split.TRAIN);
        float[] plain = new float[1024];
        float[] flipped = new float[1030];
        d.read(0, plain, 0, false);
        d.read(0, flipped, 6, true);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertEquals(plain[y * 32 + x], flipped[6 + y * 32 + 31 - x], 0f, "(" + x + ", " + y + ")");
            }
        }
        assertTrue(plain[0] != plain[31], "the test image must not be symmetric");
    }

    @Test
    void missingRootOrFolderSaysWhatWasTried() throws IOException {
        String noRoot = fail(() -> Datasets.open("mnist", null, Split.TRAIN, NO_ENV, null));
        assertTrue(noRoot.contains("no data root") && noRoot.contains("SPIKEVAE_DATA"), noRoot);

        Path nowhere = root.resolve("does-not-exist");
        String notFolder = fail(() -> Datasets.open("mnist", nowhere, Split.TRAIN, NO_ENV, null));
        assertTrue(notFolder.contains(nowhere.toString()) && notFolder.contains("not a folder"), notFolder);

        String envNotFolder = fail(() -> Datasets.open("mnist", null, Split.TRAIN, Map.of("SPIKEVAE_DATA", nowhere.toString()), null));
        assertTrue(envNotFolder.contains("SPIKEVAE_DATA") && envNotFolder.contains(nowhere.toString()), envNotFolder);

        String noFiles = fail(() -> open("mnist", Split.TEST));
        assertTrue(noFiles.contains("t10k-images-idx3-ubyte") && noFiles.contains(root.resolve("mnist").toString())
                && noFiles.contains(root.resolve("MNIST/raw").toString()), noFiles);

        IdxWriter.write(root.resolve("mnist/train-images-idx3-ubyte"), IdxWriter.images(0x803, 0, 28, 28, new byte[0]));
        String noLabels = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(noLabels.contains("train-labels-idx1-ubyte"), noLabels);
    }

    @Test
    void truncatedFilesNameTheFileAndTheExpectedLength() throws IOException {
        byte[] full = IdxWriter.images(0x803, 3, 28, 28, new byte[3 * 784]);
        Path plain = IdxWriter.write(root.resolve("mnist/train-images-idx3-ubyte"), Arrays.copyOf(full, full.length - 100));
        IdxWriter.write(root.resolve("mnist/train-labels-idx1-ubyte"), IdxWriter.labels(0x801, 3, new byte[3]));
        String msg = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(msg.contains(plain.toString()) && msg.contains("truncated") && msg.contains(String.valueOf(full.length))
                && msg.contains(String.valueOf(full.length - 100)), msg);

        Files.delete(plain);
        Path header = IdxWriter.write(root.resolve("mnist/train-images-idx3-ubyte"), Arrays.copyOf(full, 10));
        String shortHeader = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(shortHeader.contains(header.toString()) && shortHeader.contains("header"), shortHeader);

        Files.delete(header);
        Path longer = IdxWriter.write(root.resolve("mnist/train-images-idx3-ubyte"), Arrays.copyOf(full, full.length + 1));
        String tooLong = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(tooLong.contains(longer.toString()) && tooLong.contains("longer"), tooLong);

        // A gzip stream cut short.
        Files.delete(longer);
        byte[] gz = IdxWriter.gzip(full);
        Path cut = root.resolve("mnist/train-images-idx3-ubyte.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        String gzMsg = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(gzMsg.contains(cut.toString()) && gzMsg.contains("truncated"), gzMsg);

        // Not gzip at all.
        Files.write(cut, full);
        String notGz = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(notGz.contains(cut.toString()) && notGz.contains("gzip"), notGz);
    }

    @Test
    void wrongMagicOrShapeIsRejected() throws IOException {
        Path images = IdxWriter.write(root.resolve("mnist/train-images-idx3-ubyte"), IdxWriter.images(0x801, 1, 28, 28, new byte[784]));
        Path labels = IdxWriter.write(root.resolve("mnist/train-labels-idx1-ubyte"), IdxWriter.labels(0x801, 1, new byte[1]));
        String magic = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(magic.contains(images.toString()) && magic.contains("0x00000801") && magic.contains("0x00000803"), magic);

        IdxWriter.write(images, IdxWriter.images(0x803, 1, 28, 28, new byte[784]));
        IdxWriter.write(labels, IdxWriter.labels(0x803, 1, new byte[1]));
        String labelMagic = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(labelMagic.contains(labels.toString()) && labelMagic.contains("0x00000801"), labelMagic);

        IdxWriter.write(images, IdxWriter.images(0x803, 2, 20, 20, new byte[800]));
        IdxWriter.write(labels, IdxWriter.labels(0x801, 2, new byte[2]));
        String shape = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(shape.contains(images.toString()) && shape.contains("20x20") && shape.contains("28x28"), shape);

        IdxWriter.write(images, IdxWriter.images(0x803, 1, 28, 28, new byte[784]));
        IdxWriter.write(labels, IdxWriter.labels(0x801, 1, new byte[] {10}));
        String label = fail(() -> open("mnist", Split.TRAIN));
        assertTrue(label.contains(labels.toString()) && label.contains("label 10"), label);
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Path images = IdxWriter.write(root.resolve("FashionMNIST/raw/train-images-idx3-ubyte.gz"), IdxWriter.images(0x803, 3, 28, 28, new byte[3 * 784]));
        Path labels = IdxWriter.write(root.resolve("FashionMNIST/raw/train-labels-idx1-ubyte.gz"), IdxWriter.labels(0x801, 2, new byte[2]));
        String msg = fail(() -> open("fashion-mnist", Split.TRAIN));
        assertTrue(msg.contains(images.toString()) && msg.contains(labels.toString()) && msg.contains("3 images")
                && msg.contains("2 labels"), msg);
    }
}
