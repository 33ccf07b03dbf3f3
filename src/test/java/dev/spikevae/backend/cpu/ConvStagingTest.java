package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikevae.tensor.ConvGeometry;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvStaging} against its layout written out element by element: every slot of a staged image (input values
 * where the layout puts them, zeros everywhere else, over a buffer filled with garbage first), float32 and u8 inputs
 * (u8 values past 127, which must stay unsigned), and {@code unstage} as its inverse. The geometries take every
 * staging path: the flat table (short strided rows), row by row (long strided rows, stride 1), and, with the Vector
 * API, the vector split and join of stride-2 rows of whole vectors (16 and 32 columns), or at 16 lanes of one vector
 * (16 columns) whose two phases lie side by side in the staged row.
 */
class ConvStagingTest {
    private static final ConvGeometry[] GEOMETRIES = {
            ConvGeometry.conv(1, 3, 32, 32, 4, 3, 2, 1),    // E1-like: 32 columns, stride 2 (vector pairs)
            ConvGeometry.conv(1, 5, 16, 16, 4, 3, 2, 1),    // E2-like: 16 columns (vector pairs; at 16 lanes, rows
                                                            // of one vector, the odd phase first)
            ConvGeometry.conv(1, 2, 16, 16, 4, 3, 2, 0),    // 16 columns without padding: the even phase first
            ConvGeometry.conv(1, 2, 16, 16, 4, 5, 2, 2),    // padding 2: the phases two slots apart (at 16 lanes,
                                                            // not one vector's span: the scalar loop)
            ConvGeometry.conv(1, 2, 16, 48, 4, 3, 2, 0),    // no padding, 48 columns
            ConvGeometry.conv(1, 2, 8, 8, 4, 3, 2, 1),      // the flat table
            ConvGeometry.conv(1, 2, 17, 19, 4, 3, 2, 1),    // odd widths: phases of unequal length
            ConvGeometry.conv(1, 2, 20, 20, 4, 3, 2, 1),    // 10 pairs a row: not whole vectors
            ConvGeometry.conv(1, 3, 32, 32, 4, 3, 1, 1),    // stride 1
            ConvGeometry.conv(1, 2, 9, 30, 4, 5, 3, 2),     // stride 3, padding 2
    };

    @Test
    void stagesEverySlotAndUnstagesBack() {
        Random rng = new Random(5);
        for (ConvGeometry g : GEOMETRIES) {
            ConvStaging st = new ConvStaging(g);
            int n = g.inChannels() * g.inH() * g.inW();
            float[] xf = new float[n + 7];
            byte[] xb = new byte[n + 7];
            for (int i = 0; i < xf.length; i++) {
                xf[i] = rng.nextFloat() * 2 - 1;
                xb[i] = (byte) rng.nextInt(256);
            }
            for (boolean u8 : new boolean[] {false, true}) {
                ConvOperand x = u8 ? ConvOperand.of(xb, 7) : ConvOperand.of(xf, 7);
                float[] expected = expected(g, st, u8 ? null : xf, u8 ? xb : null, 7);
                float[] staged = new float[3 + st.imageSize() + 5];
                Arrays.fill(staged, Float.NaN);
                st.stage(x, 0, staged, 3);
                String what = g + (u8 ? " u8" : " f32");
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], staged[3 + i], 0f, what + ": staged slot " + i);
                }
                assertEquals(Float.NaN, staged[2], what + ": wrote before the image");
                assertEquals(Float.NaN, staged[3 + st.imageSize()], what + ": wrote past the image");
                float[] back = new float[2 + n];
                st.unstage(staged, 3, back, 2);
                for (int i = 0; i < n; i++) {
                    float v = u8 ? xb[7 + i] & 0xFF : xf[7 + i];
                    assertEquals(v, back[2 + i], 0f, what + ": unstaged element " + i);
                }
            }
        }
    }

    /** The staged image by its definition: padded (r, c) of channel ci at ci*plane + r*row + (c % sW)*width + c / sW. */
    private static float[] expected(ConvGeometry g, ConvStaging st, float[] xf, byte[] xb, int off) {
        float[] out = new float[st.imageSize()];
        int sW = g.strideW();
        for (int ci = 0; ci < g.inChannels(); ci++) {
            for (int ih = 0; ih < g.inH(); ih++) {
                for (int iw = 0; iw < g.inW(); iw++) {
                    int r = ih + g.padH();
                    int c = iw + g.padW();
                    int src = off + (ci * g.inH() + ih) * g.inW() + iw;
                    out[ci * st.plane + r * st.row + (c % sW) * st.width + c / sW] = xf != null ? xf[src] : xb[src] & 0xFF;
                }
            }
        }
        return out;
    }
}
