package dev.spikevae.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Resize} against hand-computed weights, a double-precision bilinear reference, and outputs of
 * Pillow 9.4 itself (fixtures written by {@code make_pil_fixtures.py} next to them).
 */
class ResizeTest {

    /** Bilinear interpolation with align_corners = false in double precision, as PyTorch defines it. */
    private static double[] bilinearReference(double[] src, int inW, int inH, int outW, int outH) {
        double[] out = new double[outW * outH];
        for (int y = 0; y < outH; y++) {
            double sy = Math.max(0, (y + 0.5) * inH / outH - 0.5);
            int y0 = Math.min((int) Math.floor(sy), inH - 1);
            int y1 = Math.min(y0 + 1, inH - 1);
            double fy = sy - y0;
            for (int x = 0; x < outW; x++) {
                double sx = Math.max(0, (x + 0.5) * inW / outW - 0.5);
                int x0 = Math.min((int) Math.floor(sx), inW - 1);
                int x1 = Math.min(x0 + 1, inW - 1);
                double fx = sx - x0;
                double top = src[y0 * inW + x0] * (1 - fx) + src[y0 * inW + x1] * fx;
                double bottom = src[y1 * inW + x0] * (1 - fx) + src[y1 * inW + x1] * fx;
                out[y * outW + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return out;
    }

    @Test
    void upscaleWeightsAreBilinearWithAlignCornersFalse() {
        Resize.Axis a = Resize.Axis.bilinear(28, 32);
        for (int i = 0; i < 32; i++) {
            // Source coordinate of output pixel i, clamped at the edges.
            double s = Math.min(Math.max((i + 0.5) * 28 / 32 - 0.5, 0), 27);
            int i0 = (int) Math.floor(s);
            double frac = s - i0;
            double[] expected = new double[28];
            expected[i0] += 1 - frac;
            expected[Math.min(i0 + 1, 27)] += frac;
            double[] actual = new double[28];
            for (int k = 0; k < a.count[i]; k++) {
                actual[a.first[i] + k] += a.weights[i * a.taps + k];
            }
            assertArrayEquals(expected, actual, 1e-12, "weights of output pixel " + i);
        }
        // Output pixel 1 by hand: centre (1.5) * 0.875 = 1.3125, i.e. source 0.8125: 0.1875 * p0 + 0.8125 * p1.
        assertEquals(0, a.first[1]);
        assertEquals(0.1875, a.weights[a.taps], 1e-15);
        assertEquals(0.8125, a.weights[a.taps + 1], 1e-15);
    }

    @Test
    void downscaleWeightsAreTheStretchedTriangle() {
        // 4 -> 2: scale 2, the triangle has half-width 2. Output 0 is centred at 1.0 and sees the pixel centres
        // 0.5, 1.5 and 2.5 (distances 0.5, 0.5, 1.5): raw weights 0.75, 0.75, 0.25, normalised 3/7, 3/7, 1/7.
        Resize.Axis a = Resize.Axis.bilinear(4, 2);
        assertEquals(0, a.first[0]);
        assertEquals(3, a.count[0]);
        assertEquals(3.0 / 7, a.weights[0], 1e-15);
        assertEquals(3.0 / 7, a.weights[1], 1e-15);
        assertEquals(1.0 / 7, a.weights[2], 1e-15);
        // Output 1 is the mirror image: pixels 1..3 with 1/7, 3/7, 3/7.
        assertEquals(1, a.first[1]);
        assertEquals(3, a.count[1]);
        assertEquals(1.0 / 7, a.weights[a.taps], 1e-15);
        assertEquals(3.0 / 7, a.weights[a.taps + 2], 1e-15);

        // CelebA's 148 -> 64: every output's weights sum to one and every input pixel is used.
        Resize.Axis c = Resize.Axis.bilinear(148, 64);
        boolean[] used = new boolean[148];
        for (int i = 0; i < 64; i++) {
            double sum = 0;
            for (int k = 0; k < c.count[i]; k++) {
                sum += c.weights[i * c.taps + k];
                used[c.first[i] + k] |= c.weights[i * c.taps + k] > 0;
            }
            assertEquals(1.0, sum, 1e-12, "weights of output " + i);
        }
        for (int j = 0; j < 148; j++) {
            assertTrue(used[j], "input pixel " + j + " contributes to no output (aliasing)");
        }
    }

    @Test
    void floatPathMatchesTheDoubleReferenceWhenUpscaling() {
        Random random = new Random(7);
        int[][] sizes = {{28, 28, 32, 32}, {5, 3, 11, 7}, {2, 9, 3, 10}};
        for (int[] s : sizes) {
            float[] src = new float[s[0] * s[1]];
            double[] srcD = new double[src.length];
            for (int i = 0; i < src.length; i++) {
                src[i] = random.nextFloat() * 255;
                srcD[i] = src[i];
            }
            float[] out = new float[s[2] * s[3]];
            Resize.bilinear(s[0], s[1], s[2], s[3]).apply(src, 0, out, 0);
            double[] expected = bilinearReference(srcD, s[0], s[1], s[2], s[3]);
            for (int i = 0; i < out.length; i++) {
                assertEquals(expected[i], out[i], 1e-4, "pixel " + i + " of " + s[0] + "x" + s[1] + " -> " + s[2] + "x" + s[3]);
            }
        }
    }

    @Test
    void eightBitPathIsWithinOneLevelOfTheDoubleReference() {
        Random random = new Random(11);
        byte[] src = new byte[28 * 28];
        random.nextBytes(src);
        double[] srcD = new double[src.length];
        for (int i = 0; i < src.length; i++) {
            srcD[i] = src[i] & 0xFF;
        }
        byte[] out = new byte[32 * 32];
        Resize.bilinear(28, 28, 32, 32).apply(src, 0, out, 0);
        double[] expected = bilinearReference(srcD, 28, 28, 32, 32);
        int exact = 0;
        for (int i = 0; i < out.length; i++) {
            double diff = Math.abs((out[i] & 0xFF) - expected[i]);
            // One rounding to 8 bits after each pass: at most half a level each.
            assertTrue(diff <= 1.0, "pixel " + i + ": " + (out[i] & 0xFF) + " vs " + expected[i]);
            if (diff <= 0.5) {
                exact++;
            }
        }
        assertTrue(exact > out.length / 2, "most pixels should be the correctly rounded value: " + exact);
    }

    @Test
    void constantPlanesStayConstantAndSameSizeIsACopy() {
        for (int v : new int[] {0, 1, 128, 254, 255}) {
            byte[] src = new byte[148 * 148];
            java.util.Arrays.fill(src, (byte) v);
            byte[] out = new byte[64 * 64];
            Resize.bilinear(148, 148, 64, 64).apply(src, 0, out, 0);
            for (byte b : out) {
                assertEquals(v, b & 0xFF);
            }
        }
        byte[] src = new byte[6 * 4];
        new Random(3).nextBytes(src);
        byte[] out = new byte[src.length + 2];
        Resize.bilinear(6, 4, 6, 4).apply(src, 0, out, 2);
        assertArrayEquals(src, java.util.Arrays.copyOfRange(out, 2, out.length));
    }

    @Test
    void eightBitPathIsBitExactWithPillow() throws IOException {
        checkPillowU8("pil-bilinear-L-28x28-to-32x32.bin", 1, 28, 28, 32, 32);
        checkPillowU8("pil-bilinear-L-30x17-to-11x40.bin", 1, 30, 17, 11, 40);
        checkPillowU8("pil-bilinear-RGB-148x148-to-64x64.bin", 3, 148, 148, 64, 64);
    }

    @Test
    void floatPathIsBitExactWithPillowModeF() throws IOException {
        checkPillowF32("pil-bilinear-F-28x28-to-32x32.bin", 28, 28, 32, 32);
        checkPillowF32("pil-bilinear-F-148x148-to-64x64.bin", 148, 148, 64, 64);
    }

    /** The fixture is Pillow's input then its output, interleaved (HWC) for RGB; resized here per plane. */
    private static void checkPillowU8(String fixture, int channels, int inW, int inH, int outW, int outH)
            throws IOException {
        byte[] all = resource(fixture);
        int inBytes = channels * inW * inH;
        assertEquals(inBytes + channels * outW * outH, all.length, fixture + " size");
        Resize r = Resize.bilinear(inW, inH, outW, outH);
        byte[] plane = new byte[inW * inH];
        byte[] out = new byte[outW * outH];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane.length; i++) {
                plane[i] = all[i * channels + c];
            }
            r.apply(plane, 0, out, 0);
            for (int i = 0; i < out.length; i++) {
                assertEquals(all[inBytes + i * channels + c] & 0xFF, out[i] & 0xFF,
                        fixture + ": channel " + c + ", pixel (" + i % outW + ", " + i / outW + ")");
            }
        }
    }

    private static void checkPillowF32(String fixture, int inW, int inH, int outW, int outH) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(resource(fixture)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4 * (inW * inH + outW * outH), all.capacity(), fixture + " size");
        float[] src = new float[inW * inH];
        all.asFloatBuffer().get(src);
        float[] expected = new float[outW * outH];
        all.position(4 * src.length);
        all.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(expected);
        float[] out = new float[expected.length];
        Resize.bilinear(inW, inH, outW, outH).apply(src, 0, out, 0);
        assertArrayEquals(expected, out, 0f, fixture);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ResizeTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "test resource " + name);
            return in.readAllBytes();
        }
    }
}
