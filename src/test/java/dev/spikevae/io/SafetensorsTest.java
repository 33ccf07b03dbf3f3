package dev.spikevae.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    /** A safetensors file from a header and a data section, built byte by byte. */
    private Path build(String name, String json, byte[] data) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void roundTripKeepsOrderValuesShapesAndMetadata() throws IOException {
        Map<String, HostArray> tensors = new LinkedHashMap<>();
        tensors.put("z.weight", HostArray.of(new float[] {1.5f, -2f, Float.NaN, Float.NEGATIVE_INFINITY, 0f, -0f},
                2, 3));
        tensors.put("a.bias", HostArray.scalar(7.25f));
        tensors.put("m.empty", HostArray.of(new float[0], 0, 4));
        tensors.put("b.vec", HostArray.of(new float[] {3, 4, 5}, 3));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcode ✓");
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, tensors, meta);

        Safetensors.Loaded loaded = Safetensors.read(f);
        assertEquals(List.of("z.weight", "a.bias", "m.empty", "b.vec"), List.copyOf(loaded.tensors().keySet()));
        assertEquals(tensors, loaded.tensors());
        assertArrayEquals(new long[0], loaded.tensors().get("a.bias").shape());
        assertArrayEquals(new long[] {0, 4}, loaded.tensors().get("m.empty").shape());
        assertEquals(meta, loaded.metadata());
        // -0 survives as -0, not merely as a value equal to 0.
        assertEquals(Float.floatToRawIntBits(-0f),
                Float.floatToRawIntBits(loaded.tensors().get("z.weight").data()[5]));
    }

    @Test
    void writtenHeaderFollowsTheFormat() throws IOException {
        Map<String, HostArray> tensors = new LinkedHashMap<>();
        tensors.put("x", HostArray.of(new float[] {1, 2, 3}, 3));
        tensors.put("y", HostArray.of(new float[] {4, 5}, 1, 2));
        Path f = dir.resolve("h.safetensors");
        Safetensors.write(f, tensors, Map.of("epoch", "3"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 5 * 4, bytes.length);
        String json = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{"), json);
        JsonNode root = new ObjectMapper().readTree(json);
        assertEquals("F32", root.get("x").get("dtype").asText());
        assertEquals("[3]", root.get("x").get("shape").toString());
        assertEquals("[0,12]", root.get("x").get("data_offsets").toString());
        assertEquals("[1,2]", root.get("y").get("shape").toString());
        assertEquals("[12,20]", root.get("y").get("data_offsets").toString());
        assertEquals("3", root.get("__metadata__").get("epoch").asText());
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 20).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, data.getFloat());
    }

    @Test
    void noMetadataMeansNoMetadataEntry() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, Map.of("t", HostArray.scalar(1)), Map.of());
        assertTrue(!Files.readString(f, StandardCharsets.ISO_8859_1).contains("__metadata__"));
        assertEquals(Map.of(), Safetensors.read(f).metadata());
    }

    @Test
    void decodesEveryDtype() throws IOException {
        ByteBuffer d = le(256);
        int f16 = d.position();
        for (int h : new int[] {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x7C00, 0x8000}) {
            d.putShort((short) h);
        }
        int bf16 = d.position();
        d.putShort((short) 0x3F80).putShort((short) 0xC060).putShort((short) 0xFF80);
        int i64 = d.position();
        d.putLong(-5).putLong(1L << 40);
        int f64 = d.position();
        d.putDouble(0.1).putDouble(-1e300);
        int i32 = d.position();
        d.putInt(-7).putInt(Integer.MAX_VALUE);
        int i16 = d.position();
        d.putShort((short) -300).putShort((short) 300);
        int i8 = d.position();
        d.put((byte) -128).put((byte) 127);
        int u8 = d.position();
        d.put((byte) 255).put((byte) 1);
        int bool = d.position();
        d.put((byte) 0).put((byte) 1).put((byte) 2);
        int u16 = d.position();
        d.putShort((short) 65535);
        int u32 = d.position();
        d.putInt(-1);
        int u64 = d.position();
        d.putLong(-1L);
        int end = d.position();
        String json = "{\"h\": {\"dtype\": \"F16\", \"shape\": [7], \"data_offsets\": [" + f16 + ", " + bf16 + "]},"
                + "\"bf\": {\"dtype\": \"BF16\", \"shape\": [3, 1], \"data_offsets\": [" + bf16 + ", " + i64 + "]},"
                + "\"l\": {\"dtype\": \"I64\", \"shape\": [2], \"data_offsets\": [" + i64 + ", " + f64 + "]},"
                + "\"d\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [" + f64 + ", " + i32 + "]},"
                + "\"i\": {\"dtype\": \"I32\", \"shape\": [2], \"data_offsets\": [" + i32 + ", " + i16 + "]},"
                + "\"s\": {\"dtype\": \"I16\", \"shape\": [2], \"data_offsets\": [" + i16 + ", " + i8 + "]},"
                + "\"b\": {\"dtype\": \"I8\", \"shape\": [2], \"data_offsets\": [" + i8 + ", " + u8 + "]},"
                + "\"u\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [" + u8 + ", " + bool + "]},"
                + "\"o\": {\"dtype\": \"BOOL\", \"shape\": [3], \"data_offsets\": [" + bool + ", " + u16 + "]},"
                + "\"u16\": {\"dtype\": \"U16\", \"shape\": [], \"data_offsets\": [" + u16 + ", " + u32 + "]},"
                + "\"u32\": {\"dtype\": \"U32\", \"shape\": [], \"data_offsets\": [" + u32 + ", " + u64 + "]},"
                + "\"u64\": {\"dtype\": \"U64\", \"shape\": [], \"data_offsets\": [" + u64 + ", " + end + "]},"
                + "\"__metadata__\": {\"k\": \"v\"}}";
        byte[] data = new byte[end];
        d.flip().get(data);
        Map<String, HostArray> t = Safetensors.read(build("dtypes.safetensors", json, data)).tensors();

        assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, -0f},
                t.get("h").data());
        assertArrayEquals(new float[] {1f, -3.5f, Float.NEGATIVE_INFINITY}, t.get("bf").data());
        assertArrayEquals(new long[] {3, 1}, t.get("bf").shape());
        assertArrayEquals(new float[] {-5f, 0x1p40f}, t.get("l").data());
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, t.get("d").data());
        assertArrayEquals(new float[] {-7f, (float) Integer.MAX_VALUE}, t.get("i").data());
        assertArrayEquals(new float[] {-300f, 300f}, t.get("s").data());
        assertArrayEquals(new float[] {-128f, 127f}, t.get("b").data());
        assertArrayEquals(new float[] {255f, 1f}, t.get("u").data());
        assertArrayEquals(new float[] {0f, 1f, 1f}, t.get("o").data());
        assertArrayEquals(new float[] {65535f}, t.get("u16").data());
        assertArrayEquals(new float[] {4294967295f}, t.get("u32").data());
        assertArrayEquals(new float[] {0x1p64f}, t.get("u64").data());
        assertEquals(0, t.get("u64").rank());
    }

    @Test
    void halfPrecisionDecodesEveryBitPatternExactly() {
        for (int bits = 0; bits < 65536; bits++) {
            int sign = bits >>> 15;
            int exponent = (bits >>> 10) & 31;
            int mantissa = bits & 1023;
            double magnitude;
            if (exponent == 31) {
                magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            } else if (exponent == 0) {
                magnitude = Math.scalb((double) mantissa, -24);
            } else {
                magnitude = Math.scalb(1024.0 + mantissa, exponent - 25);
            }
            float expected = (float) (sign == 1 ? -magnitude : magnitude);
            float actual = ElementType.halfToFloat((short) bits);
            if (Double.isNaN(magnitude)) {
                assertTrue(Float.isNaN(actual), "bits " + bits);
            } else {
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), "bits " + bits);
            }
        }
    }

    @Test
    void largeTensorsStreamAcrossBufferBoundaries() throws IOException {
        Random r = new Random(5);
        float[] big = new float[700_003];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) r.nextGaussian();
        }
        Map<String, HostArray> tensors = new LinkedHashMap<>();
        tensors.put("small", HostArray.of(new float[] {1, 2, 3}, 3));
        tensors.put("big", HostArray.of(big, big.length));
        Path f = dir.resolve("big.safetensors");
        Safetensors.write(f, tensors, Map.of());
        assertEquals(tensors, Safetensors.read(f).tensors());

        // A BF16 tensor larger than the 1 MiB read buffer, hand-built.
        int n = 600_001;
        ByteBuffer d = le(2 * n);
        for (int i = 0; i < n; i++) {
            d.putShort((short) (Float.floatToIntBits(i % 256) >>> 16));
        }
        Path g = build("bf16.safetensors", "{\"w\": {\"dtype\": \"BF16\", \"shape\": [" + n
                + "], \"data_offsets\": [0, " + 2 * n + "]}}", d.array());
        float[] back = Safetensors.read(g).tensors().get("w").data();
        for (int i = 0; i < n; i++) {
            assertEquals(i % 256, back[i], "element " + i);
        }
    }

    private void assertRejected(Path f, String... fragments) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private static String f32(String name, String shape, long begin, long end) {
        return "\"" + name + "\": {\"dtype\": \"F32\", \"shape\": " + shape + ", \"data_offsets\": [" + begin + ", "
                + end + "]}";
    }

    @Test
    void rejectsHeaderLengthBeyondFile() throws IOException {
        ByteBuffer b = le(20).putLong(1000).put("{\"a\": 1}    ".getBytes(StandardCharsets.UTF_8));
        Path f = dir.resolve("long.safetensors");
        Files.write(f, b.array());
        assertRejected(f, "header length 1000", "beyond");
        Path neg = dir.resolve("neg.safetensors");
        Files.write(neg, le(16).putLong(-8).array());
        assertRejected(neg, "beyond");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 0, 0});
        assertRejected(tiny, "too short");
    }

    @Test
    void rejectsBadJson() throws IOException {
        assertRejected(build("j1.safetensors", "{\"a\": {\"dtype\": ", new byte[0]), "bad JSON");
        assertRejected(build("j2.safetensors", "[1, 2]", new byte[0]), "bad JSON", "object");
        assertRejected(build("j3.safetensors", "", new byte[0]), "bad JSON");
        assertRejected(build("j4.safetensors", "{" + f32("a", "[1]", 0, 4) + ", " + f32("a", "[1]", 4, 8) + "}",
                new byte[8]), "bad JSON", "a");
        assertRejected(build("j5.safetensors", "{} {}", new byte[0]), "bad JSON");
    }

    @Test
    void rejectsOffsetsOutOfRange() throws IOException {
        assertRejected(build("r.safetensors", "{" + f32("w", "[4]", 0, 16) + "}", new byte[8]),
                "tensor w", "out of range", "8 bytes");
        assertRejected(build("r2.safetensors", "{" + f32("w", "[1]", 8, 4) + "}", new byte[8]),
                "tensor w", "begin <= end");
    }

    @Test
    void rejectsOverlappingOffsets() throws IOException {
        assertRejected(build("o.safetensors", "{" + f32("a", "[2]", 0, 8) + ", " + f32("b", "[2]", 4, 12) + "}",
                new byte[12]), "overlap", "a", "b");
    }

    @Test
    void rejectsDataNotCovered() throws IOException {
        assertRejected(build("gap.safetensors", "{" + f32("a", "[1]", 0, 4) + ", " + f32("b", "[1]", 8, 12) + "}",
                new byte[12]), "[4, 8)", "not covered");
        assertRejected(build("tail.safetensors", "{" + f32("a", "[1]", 0, 4) + "}", new byte[8]),
                "[4, 8)", "not covered");
        assertRejected(build("head.safetensors", "{" + f32("a", "[1]", 4, 8) + "}", new byte[8]),
                "[0, 4)", "not covered");
    }

    @Test
    void rejectsShapeDtypeSizeMismatch() throws IOException {
        assertRejected(build("s.safetensors", "{" + f32("w", "[3]", 0, 8) + "}", new byte[8]),
                "tensor w", "needs 12 bytes", "span 8");
        assertRejected(build("s2.safetensors", "{" + f32("w", "[-2]", 0, 8) + "}", new byte[8]),
                "tensor w", "shape", "non-negative");
        assertRejected(build("s3.safetensors", "{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}",
                new byte[4]), "tensor w", "shape");
    }

    @Test
    void rejectsUnknownDtype() throws IOException {
        assertRejected(build("d.safetensors",
                "{\"w\": {\"dtype\": \"F12\", \"shape\": [1], \"data_offsets\": [0, 4]}}", new byte[4]),
                "tensor w", "dtype F12");
    }

    @Test
    void rejectsNonStringMetadata() throws IOException {
        assertRejected(build("meta.safetensors", "{\"__metadata__\": {\"epoch\": 3}}", new byte[0]),
                "epoch", "not a string");
    }

    @Test
    void writeRejectsReservedName() {
        Path f = dir.resolve("bad.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(f, Map.of("__metadata__", HostArray.scalar(1)), Map.of()));
        assertTrue(!Files.exists(f));
    }

    @Test
    void readsHeaderPaddedWithSpaces() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(le(4).putFloat(3.5f).array());
        Path f = build("pad.safetensors", "{" + f32("x", "[]", 0, 4) + "}       ", data.toByteArray());
        HostArray x = Safetensors.read(f).tensors().get("x");
        assertEquals(HostArray.scalar(3.5f), x);
    }
}
