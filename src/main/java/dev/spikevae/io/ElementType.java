package dev.spikevae.io;

import java.nio.ByteBuffer;

/** The element types the readers understand; every one is converted to float on reading. */
enum ElementType {
    F64(8), F32(4), F16(2), BF16(2),
    I64(8), I32(4), I16(2), I8(1),
    U64(8), U32(4), U16(2), U8(1),
    BOOL(1);

    final int bytes;

    ElementType(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Decodes {@code count} elements from {@code src} (in its byte order, from its position, which advances) into
     * {@code dst[off..]}.
     */
    void decode(ByteBuffer src, float[] dst, int off, int count) {
        switch (this) {
            case F32 -> {
                // Bulk copy (with byte swapping if needed), the common case for checkpoints.
                src.asFloatBuffer().get(dst, off, count);
                src.position(src.position() + count * 4);
            }
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = (float) src.getDouble();
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = halfToFloat(src.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = Float.intBitsToFloat(src.getShort() << 16);
                }
            }
            case I64 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = src.getLong();
                }
            }
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = src.getInt();
                }
            }
            case I16 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = src.getShort();
                }
            }
            case I8 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = src.get();
                }
            }
            case U64 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = unsignedLongToFloat(src.getLong());
                }
            }
            case U32 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = Integer.toUnsignedLong(src.getInt());
                }
            }
            case U16 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = Short.toUnsignedInt(src.getShort());
                }
            }
            case U8 -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = Byte.toUnsignedInt(src.get());
                }
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    dst[off + i] = src.get() != 0 ? 1f : 0f;
                }
            }
            default -> throw new AssertionError(this);
        }
    }

    /** IEEE 754 binary16 to float, exact (every half value is a float), subnormals, infinities and NaN included. */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24, exact in float.
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }

    private static float unsignedLongToFloat(long v) {
        if (v >= 0) {
            return v;
        }
        // Halve (keeping the low bit so rounding stays correct), convert, double.
        return ((v >>> 1) | (v & 1)) * 2f;
    }
}
