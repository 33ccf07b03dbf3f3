package dev.spikevae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesOrderAndValues() throws IOException {
        Map<String, HostArray> arrays = new LinkedHashMap<>();
        arrays.put("mu", HostArray.of(new float[] {1, 2, 3}, 3));
        arrays.put("sigma", HostArray.of(new float[] {1, 0, 0, 1}, 2, 2));
        Path f = dir.resolve("stats.npz");
        Npz.write(f, arrays);
        Map<String, HostArray> back = Npz.read(f);
        assertEquals(List.of("mu", "sigma"), List.copyOf(back.keySet()));
        assertEquals(arrays, back);
    }

    @Test
    void readsStoredEntriesLikeNpSavez() throws IOException {
        // np.savez stores entries uncompressed; build one such archive by hand from an .npy written separately.
        Path single = dir.resolve("x.npy");
        Npy.write(single, HostArray.of(new float[] {4, 5}, 2));
        byte[] npy = Files.readAllBytes(single);
        Path f = dir.resolve("stored.npz");
        try (OutputStream out = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry e = new ZipEntry("x.npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(npy.length);
            CRC32 crc = new CRC32();
            crc.update(npy);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(npy);
            zip.closeEntry();
        }
        assertEquals(Map.of("x", HostArray.of(new float[] {4, 5}, 2)), Npz.read(f));
    }

    @Test
    void errorsNameTheArchiveAndEntry() throws IOException {
        Path notZip = dir.resolve("bad.npz");
        Files.writeString(notZip, "not a zip file at all");
        FileFormatException e = assertThrows(FileFormatException.class, () -> Npz.read(notZip));
        assertTrue(e.getMessage().startsWith(notZip.toString()) && e.getMessage().contains("zip"), e.getMessage());

        Path badEntry = dir.resolve("entry.npz");
        try (OutputStream out = Files.newOutputStream(badEntry); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("w.npy"));
            zip.write("garbage".getBytes());
            zip.closeEntry();
        }
        FileFormatException e2 = assertThrows(FileFormatException.class, () -> Npz.read(badEntry));
        assertTrue(e2.getMessage().contains(badEntry + "!w.npy") && e2.getMessage().contains("magic"),
                e2.getMessage());
    }
}
