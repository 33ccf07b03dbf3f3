package dev.spikevae.backend.cpu;

/**
 * A convolution operand that may be float32 or u8 spikes: an array and an element offset. Byte operands
 * are widened to floats chunk by chunk, into per-thread scratch, right before the column pass, so a
 * spike tensor never exists as a float tensor of its full size.
 */
record ConvOperand(float[] floats, byte[] bytes, int offset) {

    static ConvOperand of(float[] data, int offset) {
        return new ConvOperand(data, null, offset);
    }

    static ConvOperand of(byte[] data, int offset) {
        return new ConvOperand(null, data, offset);
    }

    /**
     * Elements {@code [start, start + count)} as floats: the array itself, or {@code scratch} (at least
     * {@code count} long) filled from the bytes. Pair it with {@link #floatOffset}.
     */
    float[] floatsFrom(int start, int count, float[] scratch) {
        if (floats != null) {
            return floats;
        }
        int from = offset + start;
        for (int i = 0; i < count; i++) {
            scratch[i] = bytes[from + i] & 0xFF; // u8 is unsigned, as in cast and copyToHost
        }
        return scratch;
    }

    /** Where element {@code start} sits in what {@link #floatsFrom} returned. */
    int floatOffset(int start) {
        return floats != null ? offset + start : 0;
    }

    boolean isBytes() {
        return bytes != null;
    }
}
