package dev.spikevae.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;

/**
 * The embedded default dataset: OpenCV's {@code digits.png} (shipped in the jar, see the NOTICE next to
 * it), a 2000x1000 greyscale sheet of 100 x 50 handwritten digits of 20x20 pixels, white on black like
 * MNIST. Tile row {@code r} (0..49) holds class {@code r / 5}, so 500 images per class; image
 * {@code i = r * 100 + c} is the tile in row r, column c. Each tile is padded with 4 black pixels on every
 * side to 28x28 (MNIST's frame around its 20x20 digit box), then resized to 32x32 like MNIST.
 * TEST is every tenth image ({@code i % 10 == 0}: 500 images, 50 per class), TRAIN the other 4,500.
 */
final class DigitsDataset {
    static final String RESOURCE = "digits.png";
    static final int SHEET_WIDTH = 2000;
    static final int SHEET_HEIGHT = 1000;
    static final int TILE = 20;
    static final int PAD = 4;
    static final int PADDED = TILE + 2 * PAD;
    static final int COLUMNS = SHEET_WIDTH / TILE;
    static final int COUNT = COLUMNS * (SHEET_HEIGHT / TILE);
    static final int PER_CLASS = COUNT / 10;
    static final int OUTPUT_SIZE = 32;

    /** All 5,000 padded tiles (28x28 bytes each), decoded on first use. */
    private static byte[] tiles;

    private DigitsDataset() {
    }

    private static synchronized byte[] tiles() {
        if (tiles == null) {
            tiles = decode();
        }
        return tiles;
    }

    static ImageDataset open(Split split) {
        int count = split == Split.TEST ? COUNT / 10 : COUNT - COUNT / 10;
        byte[] pixels = new byte[count * PADDED * PADDED];
        byte[] labels = new byte[count];
        byte[] all = tiles();
        int n = 0;
        for (int i = 0; i < COUNT; i++) {
            if ((i % 10 == 0) == (split == Split.TEST)) {
                System.arraycopy(all, i * PADDED * PADDED, pixels, n * PADDED * PADDED, PADDED * PADDED);
                labels[n++] = (byte) (i / PER_CLASS);
            }
        }
        return new ByteImageDataset("digits/" + split.label(), pixels, labels, count, 1, PADDED, PADDED,
                OUTPUT_SIZE, OUTPUT_SIZE);
    }

    private static byte[] decode() {
        byte[] png;
        try (InputStream in = DigitsDataset.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new DatasetException("digits: resource dev/spikevae/data/" + RESOURCE + " is missing from the jar");
            }
            png = in.readAllBytes();
        } catch (IOException e) {
            throw new DatasetException("digits: cannot read resource " + RESOURCE + ": " + e, e);
        }
        BufferedImage image = ImageDecoding.decode(png, RESOURCE);
        if (image.getWidth() != SHEET_WIDTH || image.getHeight() != SHEET_HEIGHT) {
            throw new DatasetException("digits: " + RESOURCE + " is " + image.getWidth() + "x" + image.getHeight()
                    + ", expected " + SHEET_WIDTH + "x" + SHEET_HEIGHT);
        }
        byte[] sheet = ImageDecoding.greyPlane(image, RESOURCE);
        byte[] out = new byte[COUNT * PADDED * PADDED]; // zero = black padding
        for (int i = 0; i < COUNT; i++) {
            int top = (i / COLUMNS) * TILE;
            int left = (i % COLUMNS) * TILE;
            for (int y = 0; y < TILE; y++) {
                System.arraycopy(sheet, (top + y) * SHEET_WIDTH + left, out,
                        i * PADDED * PADDED + (y + PAD) * PADDED + PAD, TILE);
            }
        }
        return out;
    }
}
