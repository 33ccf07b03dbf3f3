package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StagingVectors#transpose8} and {@link StagingVectors#transpose16} against the transpose written out element by
 * element: rows and destination rows at odd offsets and strides, and every slot of the destination outside the block
 * left as it was. (Each runs at its own vector shape, on any machine: where the shape is not the hardware's, through
 * the Vector API's slower fallback, with the same results.)
 */
class StagingVectorsTest {
    /** A transposition of an n x n block: (x, from, stride, to, at, toStride). */
    private interface Transpose {
        void run(float[] x, int from, int stride, float[] to, int at, int toStride);
    }

    @Test
    void transpose8IsATransposeOfEightByEight() {
        check(8, StagingVectors::transpose8);
    }

    @Test
    void transpose16IsATransposeOfSixteenBySixteen() {
        check(16, StagingVectors::transpose16);
    }

    private static void check(int n, Transpose transpose) {
        assumeTrue(VectorSupport.available(), "the Vector API is off in this JVM");
        Random rng = new Random(n);
        int[][] cases = {{0, n, 0, n}, {3, n + 3, 5, 2 * n}, {7, 1024, 1, n + 1}, {1, 256, 0, 32}};
        for (int[] c : cases) {
            int from = c[0];
            int stride = c[1];
            int at = c[2];
            int toStride = c[3];
            float[] x = new float[from + (n - 1) * stride + n];
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextFloat() * 2 - 1;
            }
            float[] to = new float[at + (n - 1) * toStride + n + 5];
            java.util.Arrays.fill(to, -7f);
            transpose.run(x, from, stride, to, at, toStride);
            boolean[] block = new boolean[to.length];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int dst = at + j * toStride + i;
                    assertEquals(x[from + i * stride + j], to[dst], 0f, n + " x " + n + ": row " + i + ", column " + j
                            + ", case from " + from + " stride " + stride);
                    block[dst] = true;
                }
            }
            for (int i = 0; i < to.length; i++) {
                if (!block[i]) {
                    assertEquals(-7f, to[i], 0f, n + " x " + n + ": slot " + i + " outside the block");
                }
            }
        }
    }
}
