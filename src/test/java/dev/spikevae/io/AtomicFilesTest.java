package dev.spikevae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeString(f, "first");
        assertEquals("first", Files.readString(f));
        AtomicFiles.writeString(f, "second, longer ✓");
        assertEquals("second, longer ✓", Files.readString(f));
        assertEquals(List.of("a.txt"), names());
    }

    @Test
    void failingWriterLeavesOldFileAndNoTempFile() throws IOException {
        Path f = dir.resolve("keep.bin");
        AtomicFiles.writeString(f, "old content");
        IOException io = new IOException("disk on fire");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[200_000]);
            throw io;
        }));
        assertSame(io, thrown.getCause());
        assertTrue(thrown.getMessage().contains(f.toString()), "the error names the file: " + thrown.getMessage());
        RuntimeException rt = new IllegalStateException("bug");
        assertSame(rt, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw rt;
        })));
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("keep.bin"), names());
    }

    @Test
    void failingWriterOnNewTargetLeavesNothing() throws IOException {
        Path f = dir.resolve("new.bin");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
            throw new UncheckedIOException(new IOException("x"));
        }));
        assertEquals(List.of(), names());
    }

    @Test
    void writerMayCloseTheStream() throws IOException {
        Path f = dir.resolve("closed.txt");
        AtomicFiles.write(f, out -> {
            out.write("abc".getBytes());
            out.close();
        });
        assertEquals("abc", Files.readString(f));
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path f = dir.resolve("x/y/z.txt");
        AtomicFiles.writeString(f, "deep");
        assertEquals("deep", Files.readString(f));
    }

    @Test
    void refusesToReplaceADirectory() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(sub, "x"));
        assertTrue(e.getMessage().contains("sub") && e.getMessage().contains("directory"), e.getMessage());
        assertEquals(List.of("sub"), names());
    }

    @Test
    void tempNamesAreRecognisable() throws IOException {
        Path f = dir.resolve("t.txt");
        String[] seen = new String[1];
        AtomicFiles.write(f, out -> {
            try (Stream<Path> s = Files.list(dir)) {
                seen[0] = s.map(p -> p.getFileName().toString()).findFirst().orElseThrow();
            }
        });
        assertTrue(AtomicFiles.isTempName(seen[0]), seen[0]);
        assertTrue(!AtomicFiles.isTempName("t.txt"));
    }
}
