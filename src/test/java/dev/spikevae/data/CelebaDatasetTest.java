package dev.spikevae.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CelebA from a tiny synthetic copy written here (JPEGs made with ImageIO, a partition file), as a folder
 * and as a zip; the crop geometry, the split, the errors; and the whole pipeline against Pillow's.
 */
class CelebaDatasetTest {
    /** Names and partitions of the synthetic copy: TRAIN is 1, 2, 5; TEST is 4. */
    private static final String PARTITION = "000001.jpg 0\n000002.jpg 0\n000003.jpg 1\n000004.jpg 2\n000005.jpg 0\n";
    private static final int[][] QUADRANTS = {{220, 40, 40}, {40, 200, 40}, {40, 60, 220}, {230, 230, 50}};

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @TempDir
    Path root;

    /**
     * A 178x218 picture that is white outside the reference's 148x148 crop (x 15..162, y 35..182) and, inside
     * it, four coloured quadrants (top-left, top-right, bottom-left, bottom-right) darkened by {@code shade}.
     */
    private static byte[] jpeg(int shade) throws IOException {
        BufferedImage img = new BufferedImage(178, 218, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 218; y++) {
            for (int x = 0; x < 178; x++) {
                int rgb = 0xFFFFFF;
                if (x >= 15 && x < 163 && y >= 35 && y < 183) {
                    int[] q = QUADRANTS[(y < 109 ? 0 : 2) + (x < 89 ? 0 : 1)];
                    rgb = (q[0] - shade) << 16 | (q[1] - shade) << 8 | (q[2] - shade);
                }
                img.setRGB(x, y, rgb);
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "jpg", out));
        return out.toByteArray();
    }

    private Path writeFolder() throws IOException {
        Path celeba = Files.createDirectories(root.resolve("celeba/img_align_celeba")).getParent();
        Files.writeString(celeba.resolve("list_eval_partition.txt"), PARTITION);
        for (int k = 1; k <= 5; k++) {
            Files.write(celeba.resolve("img_align_celeba/00000" + k + ".jpg"), jpeg(k * 5));
        }
        return celeba;
    }

    private static float signed(double level) {
        return (float) (2 * level / 255 - 1);
    }

    /** Checks the quadrant colours at four interior points, mirrored when {@code flipped}. */
    private static void checkQuadrants(float[] img, int shade, boolean flipped) {
        int[][] points = {{16, 16}, {47, 16}, {16, 47}, {47, 47}};
        for (int q = 0; q < 4; q++) {
            int x = flipped ? 63 - points[q][0] : points[q][0];
            int y = points[q][1];
            for (int c = 0; c < 3; c++) {
                // JPEG (4:2:0 chroma, quality 0.75) moves flat colours by a few levels.
                assertEquals(signed(QUADRANTS[q][c] - shade), img[c * 4096 + y * 64 + x], 8 * 2 / 255f,
                        "quadrant " + q + " channel " + c + " at (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void folderLayoutGivesTheSplitsCroppedAndResized() throws IOException {
        writeFolder();
        ImageDataset train = Datasets.open("celeba", root, Split.TRAIN, Map.of(), null);
        ImageDataset test = Datasets.open("celeba", root, Split.TEST, Map.of(), null);
        assertEquals("celeba/train", train.name());
        assertEquals(3, train.size());
        assertEquals(1, test.size());
        assertEquals(3, train.channels());
        assertEquals(64, train.height());
        assertEquals(64, train.width());
        assertEquals(-1, train.label(0));
        float[] img = new float[3 * 64 * 64];
        int[] trainShades = {5, 10, 25};
        for (int i = 0; i < 3; i++) {
            train.read(i, img, 0, false);
            checkQuadrants(img, trainShades[i], false);
            train.read(i, img, 0, true);
            checkQuadrants(img, trainShades[i], true);
        }
        test.read(0, img, 0, false);
        checkQuadrants(img, 20, false);
        // The white frame is cropped away: even the corner pixels keep their quadrant's colour
        // (the red channel of the blue quadrant would be near 255 if white leaked in).
        assertEquals(signed(40 - 20), img[63 * 64], 25 * 2 / 255f, "bottom-left corner, red");
    }

    @Test
    void zipGivesTheSameImagesAsTheFolder() throws IOException {
        Path celeba = writeFolder();
        ImageDataset fromFolder = Datasets.open("celeba", root, Split.TRAIN, Map.of(), null);
        float[][] expected = new float[3][3 * 64 * 64];
        for (int i = 0; i < 3; i++) {
            fromFolder.read(i, expected[i], 0, i == 1);
        }
        Path zip = celeba.resolve("img_align_celeba.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int k = 1; k <= 5; k++) {
                out.putNextEntry(new ZipEntry("img_align_celeba/00000" + k + ".jpg"));
                out.write(Files.readAllBytes(celeba.resolve("img_align_celeba/00000" + k + ".jpg")));
                out.closeEntry();
            }
        }
        for (int k = 1; k <= 5; k++) {
            Files.delete(celeba.resolve("img_align_celeba/00000" + k + ".jpg"));
        }
        Files.delete(celeba.resolve("img_align_celeba"));
        ImageDataset fromZip = Datasets.open("celeba", root, Split.TRAIN, Map.of(), null);
        float[] actual = new float[3 * 64 * 64];
        for (int i = 0; i < 3; i++) {
            fromZip.read(i, actual, 0, i == 1);
            assertArrayEquals(expected[i], actual, 0f, "image " + i);
        }
    }

    @Test
    void missingFilesAndBadListsAreErrors() throws IOException {
        String noRoot = assertThrows(DatasetException.class, () -> Datasets.open("celeba", null, Split.TRAIN, Map.of(), null)).getMessage();
        assertTrue(noRoot.contains("no data root") && noRoot.contains("list_eval_partition.txt"), noRoot);
        String noFolder = assertThrows(DatasetException.class, () -> Datasets.open("celeba", root, Split.TRAIN, Map.of(), null)).getMessage();
        assertTrue(noFolder.contains(root.resolve("celeba").toString()), noFolder);

        Path celeba = writeFolder();
        Files.delete(celeba.resolve("img_align_celeba/000002.jpg"));
        String missing = assertThrows(DatasetException.class, () -> Datasets.open("celeba", root, Split.TRAIN, Map.of(), null)).getMessage();
        assertTrue(missing.contains("1 of the 3") && missing.contains(celeba.resolve("img_align_celeba/000002.jpg").toString()), missing);
        // The test split does not need the missing image.
        assertEquals(1, Datasets.open("celeba", root, Split.TEST, Map.of(), null).size());

        Files.writeString(celeba.resolve("list_eval_partition.txt"), "000001.jpg 0\n000004.jpg two\n");
        String badLine = assertThrows(DatasetException.class, () -> Datasets.open("celeba", root, Split.TEST, Map.of(), null)).getMessage();
        assertTrue(badLine.contains("list_eval_partition.txt line 2") && badLine.contains("000004.jpg two"), badLine);

        Files.writeString(celeba.resolve("list_eval_partition.txt"), "000001.jpg 0\n");
        String empty = assertThrows(DatasetException.class, () -> Datasets.open("celeba", root, Split.TEST, Map.of(), null)).getMessage();
        assertTrue(empty.contains("no image of partition 2"), empty);

        Files.delete(celeba.resolve("list_eval_partition.txt"));
        String noList = assertThrows(DatasetException.class, () -> Datasets.open("celeba", root, Split.TEST, Map.of(), null)).getMessage();
        assertTrue(noList.contains(celeba.resolve("list_eval_partition.txt").toString()), noList);
    }

    @Test
    void corruptOrSmallImagesFailOnReadNamingTheFile() throws IOException {
        Path celeba = writeFolder();
        Path corrupt = celeba.resolve("img_align_celeba/000001.jpg");
        Files.write(corrupt, new byte[] {1, 2, 3, 4, 5});
        BufferedImage small = new BufferedImage(100, 160, BufferedImage.TYPE_3BYTE_BGR);
        Path smallFile = celeba.resolve("img_align_celeba/000002.jpg");
        assertTrue(ImageIO.write(small, "jpg", smallFile.toFile()));
        ImageDataset train = Datasets.open("celeba", root, Split.TRAIN, Map.of(), null);
        float[] img = new float[3 * 64 * 64];
        String bad = assertThrows(DatasetException.class, () -> train.read(0, img, 0, false)).getMessage();
        assertTrue(bad.contains(corrupt.toString()), bad);
        String tooSmall = assertThrows(DatasetException.class, () -> train.read(1, img, 0, false)).getMessage();
        assertTrue(tooSmall.contains(smallFile.toString()) && tooSmall.contains("100x160") && tooSmall.contains("148"), tooSmall);
    }

    private static void compareWithPillow(ImageDataset d, boolean flip, byte[] expected) {
        float[] img = new float[3 * 64 * 64];
        d.read(0, img, 0, flip);
        int worst = 0;
        int exact = 0;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 4096; p++) {
                int level = Math.round((img[c * 4096 + p] + 1) * 255 / 2);
                int diff = Math.abs(level - (expected[p * 3 + c] & 0xFF)); // the fixture is HWC
                worst = Math.max(worst, diff);
                exact += diff == 0 ? 1 : 0;
            }
        }
        assertTrue(worst <= 1, "flip " + flip + ": largest difference from Pillow: " + worst + " levels");
        assertTrue(exact >= 3 * 4096 * 99 / 100, "flip " + flip + ": pixels equal to Pillow's: " + exact + " of " + 3 * 4096);
    }

    /**
     * The same JPEG through Pillow (decode, crop (15, 35, 163, 183), bilinear resize to 64x64; fixture made by
     * make_pil_fixtures.py) and through this reader: the resize is bit-exact, so what remains is the JPEG
     * decoders (libjpeg-turbo in Pillow, the JDK's own here). On JDK 17 they agree on every pixel of this
     * picture; the test allows one level in 1% of the pixels, as another JDK's decoder might round differently.
     */
    @Test
    void matchesPillowsPipelineUpToJpegDecoding() throws IOException {
        Path celeba = Files.createDirectories(root.resolve("celeba/img_align_celeba")).getParent();
        Files.writeString(celeba.resolve("list_eval_partition.txt"), "000001.jpg 2\n");
        Files.write(celeba.resolve("img_align_celeba/000001.jpg"), ResizeTest.resource("pil-celeba-like.jpg"));
        ImageDataset test = Datasets.open("celeba", root, Split.TEST, Map.of(), null);
        // The reference flips before the crop; mirroring the 64x64 result must give the same image.
        compareWithPillow(test, false, ResizeTest.resource("pil-celeba-like-64x64.bin"));
        compareWithPillow(test, true, ResizeTest.resource("pil-celeba-like-64x64-flipped-first.bin"));
        assertEquals(List.of("000001.jpg"), CelebaPartition.read(celeba.resolve("list_eval_partition.txt"), 2));
    }
}
