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
}
