package dev.spikevae.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A small dataset in Fashion-MNIST's official layout ({@code <root>/fashion-mnist/*-ubyte}, 28x28 greyscale IDX files):
 * image {@code i} of label {@code i % 10} is a bright block whose place depends on the label, over seeded noise, so
 * that a model has something to learn in a few steps.
 */
final class FashionMnistFixture {
    private static final int SIDE = 28;

    private FashionMnistFixture() {
    }

    /** Writes {@code train} training and {@code test} test images under {@code root/fashion-mnist/}; returns root. */
    static Path write(Path root, int train, int test) throws IOException {
        Path folder = Files.createDirectories(root.resolve("fashion-mnist"));
        writeSplit(folder, "train", train, new Random(1));
        writeSplit(folder, "t10k", test, new Random(2));
        return root;
    }

    private static void writeSplit(Path folder, String prefix, int count, Random random) throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + count * SIDE * SIDE).putInt(0x803).putInt(count).putInt(SIDE).putInt(SIDE);
        ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
        for (int i = 0; i < count; i++) {
            int label = i % 10;
            int top = 2 + (label / 5) * 12;
            int left = 2 + (label % 5) * 5;
            for (int r = 0; r < SIDE; r++) {
                for (int c = 0; c < SIDE; c++) {
                    boolean block = r >= top && r < top + 12 && c >= left && c < left + 6;
                    images.put((byte) (block ? 200 + random.nextInt(56) : random.nextInt(40)));
                }
            }
            labels.put((byte) label);
        }
        Files.write(folder.resolve(prefix + "-images-idx3-ubyte"), images.array());
        Files.write(folder.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }
}
