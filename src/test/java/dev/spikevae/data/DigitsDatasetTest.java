package dev.spikevae.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded digits: the shipped file, split sizes, labels, value range and where the ink lands. */
class DigitsDatasetTest {

    @Test
    void theShippedPngIsTheDocumentedFile() throws IOException, NoSuchAlgorithmException {
        byte[] png;
        try (InputStream in = DigitsDataset.class.getResourceAsStream("digits.png")) {
            assertNotNull(in);
            png = in.readAllBytes();
        }
        assertEquals(721_129, png.length);
        assertEquals("60c917758ef97cc090f35cd8e293e4de691ef942847da0ff80dedab33d57c662",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)));
        assertNotNull(DigitsDataset.class.getResource("NOTICE"), "the NOTICE ships next to digits.png");
    }

    @Test
    void splitsHoldAllFiveThousandImagesBalancedByClass() {
        ImageDataset train = Datasets.open("digits", null, Split.TRAIN);
        ImageDataset test = Datasets.open("digits", null, Split.TEST);
        assertEquals("digits/train", train.name());
        assertEquals("digits/test", test.name());
        assertEquals(4_500, train.size());
        assertEquals(500, test.size());
        assertEquals(5_000, train.size() + test.size());
        int[] trainCounts = new int[10];
        int[] testCounts = new int[10];
        for (int i = 0; i < train.size(); i++) {
            trainCounts[train.label(i)]++;
        }
        for (int i = 0; i < test.size(); i++) {
            testCounts[test.label(i)]++;
            // Test image i is sheet image 10 i, of class 10 i / 500.
            assertEquals(10 * i / 500, test.label(i), "test label " + i);
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(450, trainCounts[c], "train images of class " + c);
            assertEquals(50, testCounts[c], "test images of class " + c);
        }
        // Train image 0 is sheet image 1 (sheet image 0 is a test image), class 0; train image 449 is
        // sheet image 499 and train image 450 is sheet image 501, the first of class 1.
        assertEquals(0, train.label(449));
        assertEquals(1, train.label(450));
    }

    @Test
    void imagesAreInRangeWithAnEmptyFrameAndInkInTheMiddle() {
        ImageDataset test = Datasets.open("digits", null, Split.TEST);
        assertEquals(1, test.channels());
        assertEquals(32, test.height());
        assertEquals(32, test.width());
        float[] img = new float[1024];
        double sumX = 0;
        double sumY = 0;
        double mass = 0;
        for (int i = 0; i < test.size(); i++) {
            test.read(i, img, 0, false);
            float max = -1;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    float v = img[y * 32 + x];
                    assertTrue(v >= -1f && v <= 1f, "image " + i + " value " + v);
                    max = Math.max(max, v);
                    // The 4-pixel padding of the 28x28 frame becomes a 4-pixel black border at 32x32:
                    // outputs 0..3 only read source pixels 0..3.
                    if (x < 4 || y < 4 || x >= 28 || y >= 28) {
                        assertEquals(-1f, v, 0f, "image " + i + " border pixel (" + x + ", " + y + ")");
                    }
                    double ink = v + 1;
                    sumX += ink * x;
                    sumY += ink * y;
                    mass += ink;
                }
            }
            assertTrue(max > 0f, "image " + i + " has no bright ink: max " + max);
        }
        assertEquals(15.5, sumX / mass, 1.5, "horizontal centre of the ink");
        assertEquals(15.5, sumY / mass, 1.5, "vertical centre of the ink");
    }
}
