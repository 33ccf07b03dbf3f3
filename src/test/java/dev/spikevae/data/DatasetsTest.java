package dev.spikevae.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names, flips, firstN, and (where Debian's package is installed) the real Fashion-MNIST. */
class DatasetsTest {

    @Test
    void namesAndUnknownNames() {
        assertEquals(List.of("mnist", "fashion-mnist", "cifar10", "celeba", "digits"), Datasets.names());
        String msg = assertThrows(IllegalArgumentException.class, () -> Datasets.open("svhn", null, Split.TRAIN)).getMessage();
        assertTrue(msg.contains("svhn"), msg);
        for (String name : Datasets.names()) {
            assertTrue(msg.contains(name), msg);
        }
        assertThrows(IllegalArgumentException.class, () -> Datasets.trainsWithFlip("imagenet"));
        assertEquals("digits/test", Datasets.open(" Digits ", null, Split.TEST).name(), "names ignore case and blanks");
    }

    @Test
    void onlyCifarAndCelebaTrainWithFlips() {
        assertTrue(Datasets.trainsWithFlip("cifar10"));
        assertTrue(Datasets.trainsWithFlip("celeba"));
        assertFalse(Datasets.trainsWithFlip("mnist"));
        assertFalse(Datasets.trainsWithFlip("fashion-mnist"));
        assertFalse(Datasets.trainsWithFlip("digits"));
    }

    @Test
    void firstNIsAPrefixView() {
        ImageDataset all = Datasets.open("digits", null, Split.TRAIN);
        ImageDataset first = Datasets.firstN(all, 600);
        assertEquals(600, first.size());
        assertEquals("digits/train[:600]", first.name());
        assertEquals(all.imageSize(), first.imageSize());
        float[] a = new float[1024];
        float[] b = new float[1024];
        for (int i : new int[] {0, 451, 599}) {
            assertEquals(all.label(i), first.label(i));
            all.read(i, a, 0, true);
            first.read(i, b, 0, true);
            assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> first.read(600, b, 0, false));
        String msg = assertThrows(IllegalArgumentException.class, () -> Datasets.firstN(all, 4501)).getMessage();
        assertTrue(msg.contains("4501") && msg.contains("4500") && msg.contains("digits/train"), msg);
        assertEquals(4500, Datasets.firstN(all, 4500).size());
    }

    @Test
    void outOfRangeIndexNamesTheDataset() {
        ImageDataset test = Datasets.open("digits", null, Split.TEST);
        String msg = assertThrows(IndexOutOfBoundsException.class, () -> test.label(500)).getMessage();
        assertTrue(msg.contains("digits/test") && msg.contains("500"), msg);
    }

    /** Debian's dataset-fashion-mnist, when installed: the official sizes and balanced classes. */
    @Test
    void debianFashionMnistWhenInstalled() {
        Path debian = DataRoot.DEBIAN_FASHION_MNIST;
        Assumptions.assumeTrue(Files.isDirectory(debian),
                debian + " is absent (apt-get install dataset-fashion-mnist): real Fashion-MNIST not checked");
        ImageDataset train = Datasets.open("fashion-mnist", null, Split.TRAIN, java.util.Map.of(), debian);
        ImageDataset test = Datasets.open("fashion-mnist", null, Split.TEST, java.util.Map.of(), debian);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) {
            counts[test.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(1_000, counts[c], "test images of class " + c);
        }
        // The first test image of Fashion-MNIST is an ankle boot (class 9); the first training image too.
        assertEquals(9, test.label(0));
        assertEquals(9, train.label(0));
        float[] img = new float[1024];
        train.read(59_999, img, 0, false);
        float min = 1;
        float max = -1;
        for (float v : img) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(-1f, min, 0f, "background");
        assertTrue(max > 0.5f, "bright pixels: " + max);
    }
}
