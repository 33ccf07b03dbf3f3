package dev.spikevae.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npz;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link PillowBicubic} against Pillow 9.4's {@code Image.resize(BICUBIC)} in mode 'F' (fixture by
 * tools/make_pillow_bicubic_fixture.py): 28, 32 and 64 up to 299, two reductions and a non-square enlargement.
 */
class PillowBicubicTest {

    @Test
    void equalsPillowOnEveryCase() throws Exception {
        Map<String, HostArray> fx = Npz.read(OnnxInceptionTest.resource("pillow_bicubic.npz"));
        int cases = 0;
        double worstAll = 0;
        for (int k = 0; fx.containsKey("in" + k); k++) {
            HostArray in = fx.get("in" + k);
            int h = in.intShape()[0];
            int w = in.intShape()[1];
            int oh = (int) fx.get("size" + k).data()[0];
            int ow = (int) fx.get("size" + k).data()[1];
            float[] rows = fx.get("rows" + k).data();
            float[] cols = fx.get("cols" + k).data();
            float[] expected = fx.get("out" + k).data();
            float[] ours = PillowBicubic.resize(in.data(), h, w, oh, ow);
            assertEquals(oh * ow, ours.length);
            double worst = 0;
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < cols.length; j++) {
                    float e = expected[i * cols.length + j];
                    float o = ours[(int) rows[i] * ow + (int) cols[j]];
                    worst = Math.max(worst, Math.abs(e - o));
                }
            }
            // values are in about [-40, 290]: 1e-4 absolute is a relative 4e-7, a few float32 ulps
            assertTrue(worst <= 1e-4, "case " + k + " " + h + "×" + w + " → " + oh + "×" + ow
                    + ": largest difference from Pillow " + worst);
            worstAll = Math.max(worstAll, worst);
            cases++;
        }
        assertEquals(6, cases);
        System.out.println("PillowBicubic: largest difference from Pillow over " + cases + " cases: " + worstAll);
    }

    @Test
    void weightsAreNormalisedAndTheKernelIsCatmullRomLike() {
        assertEquals(1.0, PillowBicubic.kernel(0), 0);
        assertEquals(0.0, PillowBicubic.kernel(1), 0);
        assertEquals(0.0, PillowBicubic.kernel(2), 0);
        assertEquals(-0.0625, PillowBicubic.kernel(1.5), 1e-15); // a = -0.5: (((1.5 - 5)1.5 + 8)1.5 - 4)(-0.5)
        assertEquals(0.5625, PillowBicubic.kernel(-0.5), 1e-15);
        for (int[] io : new int[][] {{28, 299}, {299, 28}, {64, 17}, {5, 5}}) {
            PillowBicubic.Coefficients c = PillowBicubic.coefficients(io[0], io[1]);
            for (int i = 0; i < io[1]; i++) {
                double s = 0;
                for (double v : c.weights()[i]) {
                    s += v;
                }
                assertEquals(1.0, s, 1e-12);
                assertTrue(c.first()[i] >= 0 && c.first()[i] + c.count()[i] <= io[0]);
            }
        }
    }

    @Test
    void sameSizeIsTheIdentityAndConstantsStayConstant() {
        float[] x = new float[6 * 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 3.5f - 20;
        }
        assertArrayEquals(x, PillowBicubic.resize(x, 6, 7, 6, 7));
        float[] c = new float[9 * 9];
        java.util.Arrays.fill(c, 77.25f);
        for (float v : PillowBicubic.resize(c, 9, 9, 299, 40)) {
            assertEquals(77.25f, v, 1e-4f);
        }
        assertThrows(IllegalArgumentException.class, () -> PillowBicubic.resize(x, 6, 6, 10, 10));
    }
}
