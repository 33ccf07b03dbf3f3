package dev.spikevae.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PhiloxTest {

    private static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    /** The known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds). */
    @Test
    void random123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void streamLayoutMapsSeedAndCounterToKeyAndCounterWords() {
        long seed = 0x1234_5678_9abc_def0L;
        long counter = 0x0000_0001_0000_0002L;
        int[] viaStream = new int[4];
        Philox.block(seed, counter, viaStream);
        assertArrayEquals(block(2, 1, 0, 0, 0x9abcdef0, 0x12345678), viaStream);
        float[] u = new float[4];
        Philox.fillUniform(seed, counter, 0, 4, u, 0);
        for (int i = 0; i < 4; i++) {
            assertEquals((viaStream[i] >>> 8) * 0x1p-24f, u[i]);
            assertEquals(u[i], Philox.uniformAt(seed, counter, i));
        }
    }

    @Test
    void uniformsLieInUnitIntervalWithTheRightMoments() {
        int n = 100_000;
        float[] u = new float[n];
        Philox.fillUniform(7, 0, 0, n, u, 0);
        double sum = 0;
        double sq = 0;
        for (float v : u) {
            assertTrue(v >= 0f && v < 1f, "out of [0, 1): " + v);
            sum += v;
            sq += v * v;
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        // standard errors: 0.0009 for the mean, 0.0003 for the variance
        assertEquals(0.5, mean, 0.005);
        assertEquals(1.0 / 12, var, 0.002);
        assertEquals(0f, Philox.toUniform(0));
        assertEquals(1f - 0x1p-24f, Philox.toUniform(-1));
    }

    @Test
    void normalsHaveTheRightMoments() {
        int n = 100_000;
        float[] z = new float[n];
        Philox.fillNormal(8, 5, 0, n, z, 0);
        double sum = 0;
        double sq = 0;
        for (float v : z) {
            assertTrue(Float.isFinite(v));
            sum += v;
            sq += v * v;
        }
        double mean = sum / n;
        assertEquals(0, mean, 0.015);
        assertEquals(1, sq / n - mean * mean, 0.02);
    }

    @Test
    void partialFillsAgreeWithWholeFills() {
        float[] whole = new float[37];
        Philox.fillUniform(3, 9, 0, 37, whole, 0);
        float[] part = new float[40];
        Philox.fillUniform(3, 9, 5, 30, part, 2);
        for (int i = 5; i < 30; i++) {
            assertEquals(whole[i], part[i - 5 + 2]);
        }
        float[] wholeN = new float[37];
        Philox.fillNormal(3, 9, 0, 37, wholeN, 0);
        float[] partN = new float[40];
        Philox.fillNormal(3, 9, 7, 30, partN, 1);
        for (int i = 7; i < 30; i++) {
            assertEquals(wholeN[i], partN[i - 7 + 1]);
        }
    }

    @Test
    void sameSeedSameNumbersOtherSeedOtherNumbers() {
        assertArrayEquals(new Rng(42).uniformHost(100), new Rng(42).uniformHost(100));
        assertArrayEquals(new Rng(42).normalHost(101), new Rng(42).normalHost(101));
        assertNotEquals(new Rng(42).uniformHost(1)[0], new Rng(43).uniformHost(1)[0]);
    }

    @Test
    void rngAdvancesItsCounterByTheBlocksEachDrawUses() {
        Rng rng = new Rng(1);
        assertEquals(0, rng.reserveUniform(5));
        assertEquals(2, rng.counter());
        assertEquals(2, rng.reserveNormal(5));
        assertEquals(5, rng.counter());
        assertEquals(5, rng.reserveUniform(0));
        assertEquals(5, rng.counter());
        float[] first = rng.uniformHost(4);
        float[] expected = new float[4];
        Philox.fillUniform(1, 5, 0, 4, expected, 0);
        assertArrayEquals(expected, first);
        assertEquals(6, rng.counter());
        Rng resumed = new Rng(rng.seed(), rng.counter());
        assertArrayEquals(rng.uniformHost(9), resumed.uniformHost(9));
        Rng child = rng.fork();
        assertNotEquals(rng.seed(), child.seed());
        assertEquals(10, rng.counter(), "9 uniforms take 3 blocks from 6, the fork one more");
    }
}
