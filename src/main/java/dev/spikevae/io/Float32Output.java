package dev.spikevae.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Writes float arrays as little-endian float32 in fixed-size chunks (no per-element calls, no full-size copy). */
final class Float32Output {
    private static final int CHUNK_FLOATS = 1 << 16;

    private Float32Output() {}

    static void write(OutputStream out, float[] data) throws IOException {
        byte[] chunk = new byte[Math.min(data.length, CHUNK_FLOATS) * 4];
        FloatBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int done = 0; done < data.length; ) {
            int count = Math.min(CHUNK_FLOATS, data.length - done);
            view.clear();
            view.put(data, done, count);
            out.write(chunk, 0, count * 4);
            done += count;
        }
    }
}
