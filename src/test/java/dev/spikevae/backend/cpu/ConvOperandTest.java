package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/**
 * {@link ConvOperand#touch} reads inside its range only, and reads its range's last element: every length from 0 to
 * 200, at offsets that put the range's ends anywhere in a line, up to the array's end.
 */
class ConvOperandTest {
    @Test
    void touchReadsInsideItsRangeOnly() {
        for (int offset : new int[] {0, 5}) {
            for (int from = 0; from < 20; from += 7) {
                for (int n = 0; n <= 200; n++) {
                    int start = offset + from;
                    float[] f = new float[start + n];
                    java.util.Arrays.fill(f, Float.NaN);
                    java.util.Arrays.fill(f, start, start + n, 1f);
                    float s = ConvOperand.of(f, offset).touch(from, n);
                    assertFalse(Float.isNaN(s), "f32: read outside [" + start + ", " + (start + n) + ")");
                    byte[] b = new byte[start + n];
                    java.util.Arrays.fill(b, (byte) -100);
                    java.util.Arrays.fill(b, start, start + n, (byte) 1);
                    float t = ConvOperand.of(b, offset).touch(from, n);
                    assertFalse(t < 0, "u8: read outside [" + start + ", " + (start + n) + ")");
                    if (n > 0) {
                        f[start + n - 1] = Float.NaN;
                        assertEquals(Float.NaN, ConvOperand.of(f, offset).touch(from, n), "f32: the last element");
                    }
                }
            }
        }
    }
}
