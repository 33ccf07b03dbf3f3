package dev.spikevae.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Writes images as PNG, atomically, without ImageIO's disk cache (no stray files in java.io.tmpdir). */
final class Png {

    static {
        ensureHeadless();
    }

    private Png() {}

    /**
     * Drawing needs no display: unless the user chose otherwise, run AWT headless. Must happen before the first
     * AWT class initialises, so every class that draws calls this from its static initialiser.
     */
    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static void write(Path file, BufferedImage image) throws IOException {
        AtomicFiles.write(file, out -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
            if (!writers.hasNext()) {
                throw new IOException(file + ": this Java runtime has no PNG writer");
            }
            ImageWriter writer = writers.next();
            try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(image);
            } finally {
                writer.dispose();
            }
        });
    }
}
