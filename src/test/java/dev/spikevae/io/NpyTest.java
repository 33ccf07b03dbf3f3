package dev.spikevae.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    private int files;

    /** A .npy file built byte by byte: magic, version, header length, the dict (space padded, newline), data. */
    private Path npy(int major, String dict, byte[] data) throws IOException {
        byte[] text = (dict + "      \n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        b.put(text).put(data);
        Path f = dir.resolve("a" + files++ + ".npy");
        Files.write(f, b.array());
        return f;
    }

    private static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void roundTripsAndWritesNumpysHeaderLayout() throws IOException {
        Path f = dir.resolve("x.npy");
        HostArray a = HostArray.of(new float[] {1, -2.5f, Float.NaN, 4, 5, 6}, 2, 3);
        Npy.write(f, a);
        assertEquals(a, Npy.read(f));
        byte[] bytes = Files.readAllBytes(f);
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertEquals(0, (10 + headerLength) % 64, "data starts on a 64-byte boundary");
        assertEquals(10 + headerLength + 6 * 4, bytes.length);
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith("\n"), header);
        assertEquals(-2.5f, ByteBuffer.wrap(bytes, 10 + headerLength + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
    }

    @Test
    void oneDimensionalScalarAndEmptyShapesUsePythonTupleSyntax() throws IOException {
        for (HostArray a : new HostArray[] {HostArray.of(new float[] {1, 2, 3, 4, 5}, 5), HostArray.scalar(-1),
                HostArray.of(new float[0], 3, 0)}) {
            Path f = dir.resolve("t" + files++ + ".npy");
            Npy.write(f, a);
            assertEquals(a, Npy.read(f));
            String header = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            String tuple = a.rank() == 0 ? "()" : a.rank() == 1 ? "(5,)" : "(3, 0)";
            assertTrue(header.contains("'shape': " + tuple + ", }"), header);
        }
    }

    @Test
    void largeArraysStreamAcrossBufferBoundaries() throws IOException {
        Random r = new Random(11);
        float[] big = new float[400_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = r.nextFloat();
        }
        Path f = dir.resolve("big.npy");
        Npy.write(f, HostArray.of(big, 400_001));
        assertArrayEquals(big, Npy.read(f).data());
    }

    @Test
    void readsEveryDtype() throws IOException {
        assertEquals(HostArray.of(new float[] {1, 2, 3, -4}, 2, 2),
                Npy.read(npy(1, dict("<f4", "(2, 2)"), le(16).putFloat(1).putFloat(2).putFloat(3).putFloat(-4).array())));
        assertArrayEquals(new float[] {0.1f, -2.5f, Float.POSITIVE_INFINITY},
                Npy.read(npy(1, dict("<f8", "(3,)"), le(24).putDouble(0.1).putDouble(-2.5).putDouble(1e300).array()))
                        .data());
        assertArrayEquals(new float[] {0, 255}, Npy.read(npy(1, dict("|u1", "(2,)"), new byte[] {0, -1})).data());
        assertArrayEquals(new float[] {-128, 5}, Npy.read(npy(1, dict("|i1", "(2,)"), new byte[] {-128, 5})).data());
        assertArrayEquals(new float[] {-300, 32767},
                Npy.read(npy(1, dict("<i2", "(2,)"), le(4).putShort((short) -300).putShort((short) 32767).array()))
                        .data());
        assertArrayEquals(new float[] {-7, 1 << 24},
                Npy.read(npy(1, dict("<i4", "(2,)"), le(8).putInt(-7).putInt(1 << 24).array())).data());
        assertArrayEquals(new float[] {-1, 0x1p50f},
                Npy.read(npy(1, dict("<i8", "(2,)"), le(16).putLong(-1).putLong(1L << 50).array())).data());
        assertArrayEquals(new float[] {0, 1, 1}, Npy.read(npy(1, dict("|b1", "(3,)"), new byte[] {0, 1, 1})).data());
        assertArrayEquals(new float[] {1.5f, -2f}, Npy.read(npy(1, dict(">f4", "(2,)"),
                ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f).array())).data());
        HostArray half = Npy.read(npy(1, dict("<f2", "()"), le(2).putShort((short) 0x3C00).array()));
        assertEquals(HostArray.scalar(1f), half);
    }

    @Test
    void readsVersionsTwoAndThreeAndOldHeaderForms() throws IOException {
        byte[] data = le(8).putFloat(7).putFloat(8).array();
        assertEquals(HostArray.of(new float[] {7, 8}, 1, 2), Npy.read(npy(2, dict("<f4", "(1, 2)"), data)));
        assertEquals(HostArray.of(new float[] {7, 8}, 2), Npy.read(npy(3, dict("<f4", "(2,)"), data)));
        // Python 2 numpy wrote long integers with an L suffix; double quotes are valid Python too.
        assertEquals(HostArray.of(new float[] {7, 8}, 2, 1), Npy.read(npy(1,
                "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L, 1L)}", data)));
    }

    private void assertRejected(Path f, String... fragments) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void rejectsFortranOrder() throws IOException {
        assertRejected(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]),
                "Fortran");
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        assertRejected(npy(1, dict("<f4", "(2, 3)"), new byte[20]), "truncated", "[2, 3]");
        Path cut = dir.resolve("cut.npy");
        byte[] whole = Files.readAllBytes(npy(1, dict("<f4", "(1,)"), new byte[4]));
        Files.write(cut, Arrays.copyOf(whole, 30));
        assertRejected(cut, "truncated", "header");
        Path tiny = dir.resolve("tiny.npy");
        Files.write(tiny, new byte[] {(byte) 0x93, 'N', 'U'});
        assertRejected(tiny, "truncated");
    }

    @Test
    void rejectsOtherMalformedFiles() throws IOException {
        Path notNpy = dir.resolve("text.npy");
        Files.writeString(notNpy, "hello, this is not numpy");
        assertRejected(notNpy, "magic");
        Path v9 = npy(1, dict("<f4", "(1,)"), new byte[4]);
        byte[] bytes = Files.readAllBytes(v9);
        bytes[6] = 9;
        Files.write(v9, bytes);
        assertRejected(v9, "version 9");
        assertRejected(npy(1, dict("<f4", "(1,)"), new byte[8]), "after the data");
        assertRejected(npy(1, dict("<c8", "(1,)"), new byte[8]), "unsupported dtype '<c8'");
        assertRejected(npy(1, dict("|f4", "(1,)"), new byte[4]), "unsupported dtype '|f4'");
        assertRejected(npy(1, "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }",
                new byte[8]), "structured");
        assertRejected(npy(1, "{'descr': '<f4', 'shape': (1,), }", new byte[4]), "keys");
        assertRejected(npy(1, dict("<f4", "(-1,)"), new byte[4]), "bad header dict");
        assertRejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", new byte[4]),
                "bad header dict");
    }
}
