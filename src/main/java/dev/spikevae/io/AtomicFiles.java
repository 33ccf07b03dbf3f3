package dev.spikevae.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file writes that a crash or a failing writer can never leave half done: readers see either the old file
 * or the complete new one.
 *
 * <p>The content goes to a hidden temp file in the target's directory (a rename is only atomic within one file
 * system), is flushed and fsynced, and then renamed over the target with {@code ATOMIC_MOVE}. The directory is
 * fsynced afterwards so that the rename itself survives a power cut, where the OS allows opening a directory.
 */
public final class AtomicFiles {

    /** Produces the file's content. The stream must not be closed by the writer (closing it is harmless). */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static final int BUFFER_BYTES = 1 << 16;
    private static final int NAME_ATTEMPTS = 100;

    private AtomicFiles() {}

    /**
     * Writes {@code target} atomically with the bytes {@code writer} produces; missing parent directories are
     * created. On any failure the temp file is deleted, the exception propagates and the old target is untouched.
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || absolute.getFileName() == null) {
            throw new IOException(target + ": not a file path");
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + ": is a directory, cannot write a file over it");
        }
        Files.createDirectories(dir);
        Path temp = null;
        try {
            FileChannel channel = null;
            for (int attempt = 0; channel == null; attempt++) {
                temp = dir.resolve(tempName(absolute.getFileName().toString()));
                try {
                    // CREATE_NEW with default permissions: unlike Files.createTempFile (0600) the final file gets the
                    // same permissions as any other file the process creates.
                    channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= NAME_ATTEMPTS) {
                        throw e;
                    }
                    temp = null;
                }
            }
            try (FileChannel ch = channel) {
                OutputStream out = new BufferedOutputStream(new UncloseableStream(Channels.newOutputStream(ch)),
                        BUFFER_BYTES);
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException | RuntimeException | Error e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            if (e instanceof IOException io && (io.getMessage() == null || !io.getMessage().contains(target.toString()))) {
                // a full disk says "No space left on device": say which file could not be written
                IOException named = new IOException(target + ": cannot write (" + io + ")", io);
                throw named;
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /** Writes {@code bytes} atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Whether {@code name} is the name of a temp file this class creates (for cleaning up after a crash). */
    public static boolean isTempName(String name) {
        return name.startsWith(".") && name.endsWith(".tmp") && name.contains(".spikevae-");
    }

    private static String tempName(String targetName) {
        return "." + targetName + ".spikevae-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some systems (Windows) cannot open a directory as a channel; the rename is still atomic there.
        }
    }

    /** Keeps a writer that closes its stream from closing the channel before it is fsynced. */
    private static final class UncloseableStream extends FilterOutputStream {
        UncloseableStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
