package dev.spikevae.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * Streams raw elements from a channel into a float array through one reusable buffer, so a file of any size is
 * read with a fixed amount of extra memory and no per-element allocation.
 */
final class ElementReader {
    /** A multiple of every element size, so no element straddles two buffer fills. */
    private static final int BUFFER_BYTES = 1 << 20;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);

    /**
     * Reads exactly {@code dst.length} elements of {@code type} in byte order {@code order} from {@code channel}.
     *
     * @throws EOFException if the channel ends first
     */
    void read(ReadableByteChannel channel, ElementType type, ByteOrder order, float[] dst) throws IOException {
        buffer.order(order);
        int perFill = BUFFER_BYTES / type.bytes;
        for (int done = 0; done < dst.length; ) {
            int count = Math.min(perFill, dst.length - done);
            buffer.clear().limit(count * type.bytes);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new EOFException("data ends after " + (done * (long) type.bytes + buffer.position())
                            + " of " + (long) dst.length * type.bytes + " bytes");
                }
            }
            buffer.flip();
            type.decode(buffer, dst, done, count);
            done += count;
        }
    }

    /** {@link #read} into doubles: {@code f8} keeps its precision, every other type converts exactly as there. */
    void readDoubles(ReadableByteChannel channel, ElementType type, ByteOrder order, double[] dst) throws IOException {
        buffer.order(order);
        int perFill = BUFFER_BYTES / type.bytes;
        float[] floats = type == ElementType.F64 ? null : new float[Math.min(perFill, dst.length)];
        for (int done = 0; done < dst.length; ) {
            int count = Math.min(perFill, dst.length - done);
            buffer.clear().limit(count * type.bytes);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new EOFException("data ends after " + (done * (long) type.bytes + buffer.position())
                            + " of " + (long) dst.length * type.bytes + " bytes");
                }
            }
            buffer.flip();
            if (floats == null) {
                buffer.asDoubleBuffer().get(dst, done, count);
            } else {
                type.decode(buffer, floats, 0, count);
                for (int i = 0; i < count; i++) {
                    dst[done + i] = floats[i];
                }
            }
            done += count;
        }
    }
}
