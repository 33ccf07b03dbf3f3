package dev.spikevae.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}},
 * offsets relative to the first byte after the header), then the raw little-endian tensor data.
 */
public final class Safetensors {

    /** The header key that holds string metadata instead of a tensor. */
    public static final String METADATA_KEY = "__metadata__";

    /** The reference implementation's limit; a larger header is a corrupt length, not a real header. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Safetensors() {}

    /** The tensors (LinkedHashMap, in the header's order) and the string metadata (empty if the file has none). */
    public record Loaded(Map<String, HostArray> tensors, Map<String, String> metadata) {}

    /** One tensor's header entry. */
    private record Entry(String name, ElementType type, long[] shape, long begin, long end) {}

    /**
     * Writes {@code tensors} (in the map's iteration order) as F32, with {@code metadata} (may be empty or null)
     * under {@code "__metadata__"}. Atomic: temp file in the same directory, fsync, ATOMIC_MOVE over the target.
     */
    public static void write(Path file, Map<String, HostArray> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException(file + ": invalid tensor name " + name);
            }
            HostArray array = e.getValue();
            if (array == null) {
                throw new IllegalArgumentException(file + ": tensor " + name + " is null");
            }
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", "F32");
            ArrayNode shape = entry.putArray("shape");
            for (long d : array.shape()) {
                shape.add(d);
            }
            long end = offset + 4L * array.numel();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException(file + ": metadata has a null key or value (key "
                            + e.getKey() + ")");
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // Pad with spaces to a multiple of 8 so the data that follows is 8-byte aligned.
        int padded = (json.length + 7) & ~7;
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(json, 0, head, 8, json.length);
        Arrays.fill(head, 8 + json.length, head.length, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(head);
            for (HostArray array : tensors.values()) {
                Float32Output.write(out, array.data());
            }
        });
    }

    /**
     * Reads every tensor of {@code file}, converting F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8 and
     * BOOL values to float.
     *
     * @throws FileFormatException naming the file and the fault: header length beyond the file, bad JSON, offsets
     *     out of range, overlapping or not covering the data, shape/dtype size mismatch, unknown dtype
     */
    public static Loaded read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new FileFormatException(file, "file has " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > size - 8) {
                throw new FileFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " goes beyond the end of the file (" + size + " bytes)");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new FileFormatException(file, "header length " + headerLength + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            long dataStart = 8 + headerLength;
            long dataLength = size - dataStart;

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(file, headerBytes.array(), metadata);
            checkOffsets(file, entries, dataLength);

            Map<String, HostArray> tensors = new LinkedHashMap<>();
            ElementReader reader = new ElementReader();
            for (Entry e : entries) {
                float[] data = new float[(int) HostArray.numel(e.shape())];
                channel.position(dataStart + e.begin());
                try {
                    reader.read(channel, e.type(), ByteOrder.LITTLE_ENDIAN, data);
                } catch (EOFException ex) {
                    throw new FileFormatException(file, "tensor " + e.name() + ": " + ex.getMessage());
                }
                tensors.put(e.name(), new HostArray(e.shape(), data));
            }
            return new Loaded(tensors, metadata);
        }
    }

    private static List<Entry> parseHeader(Path file, byte[] header, Map<String, String> metadata)
            throws FileFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")
                    ? "text after the JSON object" : firstLine(e.getOriginalMessage());
            throw new FileFormatException(file, "bad JSON header: " + problem
                    + (e.getLocation() == null ? "" : " (at byte " + e.getLocation().getByteOffset() + ")"));
        } catch (IOException e) {
            throw new FileFormatException(file, "bad JSON header: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new FileFormatException(file, "bad JSON header: expected an object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.equals(METADATA_KEY)) {
                readMetadata(file, value, metadata);
            } else {
                entries.add(parseEntry(file, name, value));
            }
        }
        return entries;
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata)
            throws FileFormatException {
        if (!node.isObject()) {
            throw new FileFormatException(file, METADATA_KEY + " is not an object");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new FileFormatException(file, METADATA_KEY + " value of " + e.getKey() + " is not a string");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) throws FileFormatException {
        if (!node.isObject()) {
            throw new FileFormatException(file, "tensor " + name + ": header entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new FileFormatException(file, "tensor " + name + ": missing or non-string dtype");
        }
        ElementType type = dtype(file, name, dtypeNode.textValue());
        long[] shape = nonNegativeLongs(file, name, "shape", node.get("shape"));
        long[] offsets = nonNegativeLongs(file, name, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw new FileFormatException(file, "tensor " + name + ": data_offsets " + Arrays.toString(offsets)
                    + " is not a [begin, end] pair with begin <= end");
        }
        long numel;
        try {
            numel = HostArray.numel(shape);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "tensor " + name + ": " + e.getMessage());
        }
        long bytes = offsets[1] - offsets[0];
        if (numel * type.bytes != bytes) {
            throw new FileFormatException(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " of "
                    + type + " needs " + numel * type.bytes + " bytes but data_offsets " + Arrays.toString(offsets)
                    + " span " + bytes);
        }
        return new Entry(name, type, shape, offsets[0], offsets[1]);
    }

    private static ElementType dtype(Path file, String name, String dtype) throws FileFormatException {
        return switch (dtype) {
            case "F64" -> ElementType.F64;
            case "F32" -> ElementType.F32;
            case "F16" -> ElementType.F16;
            case "BF16" -> ElementType.BF16;
            case "I64" -> ElementType.I64;
            case "I32" -> ElementType.I32;
            case "I16" -> ElementType.I16;
            case "I8" -> ElementType.I8;
            case "U64" -> ElementType.U64;
            case "U32" -> ElementType.U32;
            case "U16" -> ElementType.U16;
            case "U8" -> ElementType.U8;
            case "BOOL" -> ElementType.BOOL;
            default -> throw new FileFormatException(file, "tensor " + name + ": unknown or unsupported dtype "
                    + dtype);
        };
    }

    private static long[] nonNegativeLongs(Path file, String name, String field, JsonNode node)
            throws FileFormatException {
        if (node == null || !node.isArray()) {
            throw new FileFormatException(file, "tensor " + name + ": missing or non-array " + field);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new FileFormatException(file, "tensor " + name + ": " + field + " holds " + v
                        + ", not a non-negative integer");
            }
            values[i] = v.longValue();
        }
        return values;
    }

    /** The data must be tiled exactly: sorted by offset, each tensor starts where the previous ends. */
    private static void checkOffsets(Path file, List<Entry> entries, long dataLength) throws FileFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.end() > dataLength) {
                throw new FileFormatException(file, "tensor " + e.name() + ": data_offsets [" + e.begin() + ", "
                        + e.end() + "] out of range, the data section has " + dataLength + " bytes");
            }
            if (e.begin() < covered) {
                throw new FileFormatException(file, "tensor " + e.name() + ": data_offsets [" + e.begin() + ", "
                        + e.end() + "] overlap tensor " + previous.name() + " [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
            if (e.begin() > covered) {
                throw new FileFormatException(file, "data bytes [" + covered + ", " + e.begin()
                        + ") are not covered by any tensor");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != dataLength) {
            throw new FileFormatException(file, "data bytes [" + covered + ", " + dataLength
                    + ") are not covered by any tensor");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                throw new EOFException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
