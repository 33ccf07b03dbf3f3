package dev.spikevae.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * NumPy's .npy format: the magic {@code \x93NUMPY}, a version (1.0, 2.0 or 3.0), a little-endian header length
 * (2 bytes in v1, 4 in v2/v3), a Python dict literal header, then the raw array data.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so the data starts on a multiple of this (for memory-mapping). */
    private static final int ALIGN = 64;

    private Npy() {}

    /**
     * Reads a .npy v1/v2/v3 file with dtype {@code <f4 <f8 <f2 |u1 |i1 <i2 <i4 <i8 <u2 <u4 <u8 |b1} (big-endian
     * {@code >} forms too), converting values to float. C order only.
     *
     * @throws FileFormatException naming the file: bad magic or version, bad header, Fortran order, unsupported
     *     dtype, truncated data or bytes after the data
     */
    public static HostArray read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, file.toString());
        }
    }

    /**
     * Reads one .npy array from {@code in} (for example an entry of an .npz archive), which must end where the
     * array ends; {@code source} names it in error messages. Does not close {@code in}.
     */
    public static HostArray read(InputStream in, String source) throws IOException {
        return read(Channels.newChannel(in), source);
    }

    private static HostArray read(ReadableByteChannel data, String source) throws IOException {
        Opened opened = open(data, source);
        float[] values = new float[(int) opened.numel()];
        try {
            new ElementReader().read(data, opened.dtype().type(), opened.dtype().order(), values);
        } catch (EOFException e) {
            throw opened.truncated(source, e);
        }
        opened.expectEnd(data, source);
        return new HostArray(opened.header().shape(), values);
    }

    /**
     * Reads one .npy array from {@code in} keeping double precision (statistics such as covariance matrices are
     * stored as {@code <f8}); every dtype {@link #read(Path)} accepts is accepted. Does not close {@code in}.
     */
    public static HostDoubles readDoubles(InputStream in, String source) throws IOException {
        ReadableByteChannel data = Channels.newChannel(in);
        Opened opened = open(data, source);
        double[] values = new double[(int) opened.numel()];
        try {
            new ElementReader().readDoubles(data, opened.dtype().type(), opened.dtype().order(), values);
        } catch (EOFException e) {
            throw opened.truncated(source, e);
        }
        opened.expectEnd(data, source);
        return new HostDoubles(opened.header().shape(), values);
    }

    /** A header read and checked: what follows is {@code numel} elements of {@code dtype}. */
    private record Opened(NpyHeader header, Dtype dtype, long numel) {
        FileFormatException truncated(String source, EOFException e) {
            return new FileFormatException(source, "truncated: " + e.getMessage() + " for shape "
                    + Arrays.toString(header.shape()) + " of " + header.descr());
        }

        void expectEnd(ReadableByteChannel data, String source) throws IOException {
            if (data.read(ByteBuffer.allocate(1)) > 0) {
                throw new FileFormatException(source, "unexpected bytes after the data of shape "
                        + Arrays.toString(header.shape()) + " of " + header.descr());
            }
        }
    }

    private static Opened open(ReadableByteChannel data, String source) throws IOException {
        byte[] preamble = new byte[MAGIC.length + 2];
        readFully(data, preamble, source, "magic and version");
        if (!Arrays.equals(Arrays.copyOf(preamble, MAGIC.length), MAGIC)) {
            throw new FileFormatException(source, "not a .npy file (bad magic bytes)");
        }
        int major = preamble[6];
        int minor = preamble[7];
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw new FileFormatException(source, "unsupported .npy version " + major + "." + minor);
        };
        byte[] lengthField = new byte[lengthBytes];
        readFully(data, lengthField, source, "header length");
        long headerLength = lengthBytes == 2
                ? Short.toUnsignedInt(ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getShort())
                : Integer.toUnsignedLong(ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (headerLength > (64 << 20)) {
            throw new FileFormatException(source, "header length " + headerLength + " is implausibly large");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        readFully(data, headerBytes, source, "header");
        String headerText = new String(headerBytes,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(headerText, source);
        if (header.fortranOrder()) {
            throw new FileFormatException(source, "Fortran-order arrays are not supported (save it in C order)");
        }
        long numel;
        try {
            numel = HostArray.numel(header.shape());
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(source, e.getMessage());
        }
        return new Opened(header, dtype(header.descr(), source), numel);
    }

    /** Writes {@code array} as {@code <f4}, C order, with a v1.0 header padded to 64 bytes, atomically. */
    public static void write(Path file, HostArray array) throws IOException {
        AtomicFiles.write(file, out -> write(out, array));
    }

    /** Writes {@code array} as a .npy stream ({@code <f4}, C order, v1.0 header padded to 64 bytes). */
    public static void write(OutputStream out, HostArray array) throws IOException {
        out.write(headerBytes(array.shape()));
        Float32Output.write(out, array.data());
    }

    private static byte[] headerBytes(long[] shape) {
        byte[] dict = NpyHeader.format("<f4", shape).getBytes(StandardCharsets.ISO_8859_1);
        // Version 2.0 only when the dict cannot fit the 2-byte length of 1.0 (a shape of thousands of axes).
        boolean v1 = dict.length + 1 + ALIGN <= 0xffff;
        int prefix = MAGIC.length + 2 + (v1 ? 2 : 4);
        int total = (prefix + dict.length + 1 + ALIGN - 1) / ALIGN * ALIGN;
        int headerLength = total - prefix;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(dict);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /** A numpy descr resolved: element type and byte order. */
    private record Dtype(ElementType type, ByteOrder order) {}

    /** Maps a numpy descr such as {@code <f4} to an element type and its byte order. */
    private static Dtype dtype(String descr, String source) throws FileFormatException {
        if (descr.length() < 3) {
            throw new FileFormatException(source, "unsupported dtype '" + descr + "'");
        }
        char endian = descr.charAt(0);
        String kind = descr.substring(1);
        ElementType type = switch (kind) {
            case "f2" -> ElementType.F16;
            case "f4" -> ElementType.F32;
            case "f8" -> ElementType.F64;
            case "i1" -> ElementType.I8;
            case "i2" -> ElementType.I16;
            case "i4" -> ElementType.I32;
            case "i8" -> ElementType.I64;
            case "u1" -> ElementType.U8;
            case "u2" -> ElementType.U16;
            case "u4" -> ElementType.U32;
            case "u8" -> ElementType.U64;
            case "b1" -> ElementType.BOOL;
            default -> null;
        };
        ByteOrder byteOrder = switch (endian) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            // '|' means "not applicable": only valid for one-byte types.
            case '|' -> type != null && type.bytes == 1 ? ByteOrder.LITTLE_ENDIAN : null;
            default -> null;
        };
        if (type == null || byteOrder == null) {
            throw new FileFormatException(source, "unsupported dtype '" + descr + "'");
        }
        return new Dtype(type, byteOrder);
    }

    private static void readFully(ReadableByteChannel in, byte[] dst, String source, String what)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(dst);
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw new FileFormatException(source, "truncated: the file ends inside the " + what);
            }
        }
    }
}
