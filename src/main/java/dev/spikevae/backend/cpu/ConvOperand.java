package dev.spikevae.backend.cpu;

/**
 * A convolution operand that may be float32 or u8 spikes: an array and an element offset. The implicit-GEMM
 * sources ({@link ConvSources}) read either kind in place and widen a u8 value (unsigned, as in cast and
 * copyToHost) as they pack it, so a spike tensor never exists as floats of its full size, nor of a chunk's.
 */
record ConvOperand(float[] floats, byte[] bytes, int offset) {

    static ConvOperand of(float[] data, int offset) {
        return new ConvOperand(data, null, offset);
    }

    static ConvOperand of(byte[] data, int offset) {
        return new ConvOperand(null, data, offset);
    }

    /**
     * Reads one element of every 64-byte line of elements {@code [from, from + n)} (from the offset), and the last:
     * the range is pulled into the caches by a loop of independent loads, at the memory's full rate, before a loop
     * that reads it in an order the hardware prefetchers follow less well (several channels' rows side by side, or
     * 16 rows 1 KiB apart). Returns the sum of what it read, for the caller to keep, so that the reads are kept.
     */
    float touch(int from, int n) {
        if (n <= 0) {
            return 0f;
        }
        int start = offset + from;
        int end = start + n;
        if (floats != null) {
            float s0 = 0f;
            float s1 = 0f;
            int i = start;
            for (; i + 16 < end; i += 32) {
                s0 += floats[i];
                s1 += floats[i + 16];
            }
            for (; i < end; i += 16) {
                s0 += floats[i];
            }
            return s0 + s1 + floats[end - 1];
        }
        int s0 = 0;
        int s1 = 0;
        int i = start;
        for (; i + 64 < end; i += 128) {
            s0 += bytes[i];
            s1 += bytes[i + 64];
        }
        for (; i < end; i += 64) {
            s0 += bytes[i];
        }
        return s0 + s1 + bytes[end - 1];
    }
}
