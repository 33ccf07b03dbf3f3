package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StagingVectors#transpose8} against the transpose written out element by element: rows and destination rows
 * at odd offsets and strides, and every slot of the destination outside the block left as it was.
 */
class StagingVectorsTest {
    @Test
    void transpose8IsATransposeOfEightByEight() {
        assumeTrue(VectorSupport.available(), "the Vector API is off in this JVM");
        Random rng = new Random(8);
        int[][] cases = {{0, 8, 0, 8}, {3, 11, 5, 16}, {7, 1024, 1, 9}};
        for (int[] c : cases) {
            int from = c[0];
            int stride = c[1];
            int at = c[2];
            int toStride = c[3];
            float[] x = new float[from + 7 * stride + 8];
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextFloat() * 2 - 1;
            }
            float[] to = new float[at + 7 * toStride + 8 + 5];
            java.util.Arrays.fill(to, -7f);
            StagingVectors.transpose8(x, from, stride, to, at, toStride);
            boolean[] block = new boolean[to.length];
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    int dst = at + j * toStride + i;
                    assertEquals(x[from + i * stride + j], to[dst], 0f, "row " + i + ", column " + j + ", case from "
                            + from + " stride " + stride);
                    block[dst] = true;
                }
            }
            for (int i = 0; i < to.length; i++) {
                if (!block[i]) {
                    assertEquals(-7f, to[i], 0f, "slot " + i + " outside the block");
                }
            }
        }
    }
}
