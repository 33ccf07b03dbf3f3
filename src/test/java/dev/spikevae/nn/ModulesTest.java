package dev.spikevae.nn;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModulesTest {
    private static final Backend BE = new CpuBackend(1);

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void pytorchDefaultInitBounds() {
        Rng rng = new Rng(1);
        Conv2d conv = new Conv2d(BE, 32, 64, 3, 2, 1, true, rng);
        float bound = (float) (1 / Math.sqrt(32 * 9));
        float[] w = conv.weight().value().toHost();
        assertTrue(maxAbs(w) <= bound && maxAbs(w) > 0.9f * bound, "conv weight within U(+-1/sqrt(fan_in)) and spread");
        assertTrue(maxAbs(conv.bias().value().toHost()) <= bound);
        // ConvTranspose quirk: fan_in from weight dim 1 = out channels
        ConvTranspose2d convT = new ConvTranspose2d(BE, 256, 128, 3, 2, 1, 1, true, rng);
        float tBound = (float) (1 / Math.sqrt(128 * 9));
        float[] tw = convT.weight().value().toHost();
        assertTrue(maxAbs(tw) <= tBound && maxAbs(tw) > 0.99f * tBound, "convT bound uses out*k*k");
        assertTrue(maxAbs(convT.bias().value().toHost()) <= tBound);
        assertArrayEquals(new int[] {256, 128, 3, 3}, convT.weight().value().shape().dims());
        Linear lin = new Linear(BE, 1024, 32, true, rng);
        assertTrue(maxAbs(lin.weight().value().toHost()) <= 1 / 32f);
    }

    @Test
    void seededInitIsReproducibleAndSeedSensitive() {
        float[] a = new Conv2d(BE, 3, 8, 3, 1, 1, true, new Rng(5)).weight().value().toHost();
        float[] b = new Conv2d(BE, 3, 8, 3, 1, 1, true, new Rng(5)).weight().value().toHost();
        float[] c = new Conv2d(BE, 3, 8, 3, 1, 1, true, new Rng(6)).weight().value().toHost();
        assertArrayEquals(a, b);
        assertNotEquals(a[0], c[0]);
    }

    /** The reference's tdConv block: conv weight and bias, and its tdBN under ".bn". */
    static final class TdConvBlock extends Module {
        private final Conv2d conv;
        private final TdBatchNorm bn;
        private final Lif lif = new Lif();

        TdConvBlock(Backend be, int in, int out, Rng rng) {
            Conv2d c = new Conv2d(be, in, out, 3, 2, 1, true, rng);
            this.conv = c;
            addParameter("weight", c.weight().value());
            addParameter("bias", c.bias().value());
            this.bn = addModule("bn", new TdBatchNorm(be, out));
        }

        @Override
        public dev.spikevae.tensor.Tensor forward(dev.spikevae.tensor.Tensor x) {
            return lif.forward(bn.forward(conv.forward(x)));
        }
    }

    @Test
    void namesFollowTheModuleTreeLikeReferenceStateDicts() {
        Rng rng = new Rng(3);
        Sequential encoder = new Sequential(new TdConvBlock(BE, 1, 32, rng), new TdConvBlock(BE, 32, 64, rng));
        Map<String, Parameter> params = encoder.namedParameters();
        assertEquals(List.of("0.weight", "0.bias", "0.bn.weight", "0.bn.bias", "1.weight", "1.bias", "1.bn.weight",
                "1.bn.bias"), List.copyOf(params.keySet()));
        assertEquals(List.of("0.bn.running_mean", "0.bn.running_var", "0.bn.num_batches_tracked", "1.bn.running_mean",
                "1.bn.running_var", "1.bn.num_batches_tracked"), List.copyOf(encoder.namedBuffers().keySet()));
        // encoder.0 and encoder.1 of docs/reference.md §7.4: 32*9 + 32 + 64 and 64*32*9 + 64 + 128
        assertEquals(288 + 32 + 64 + 18432 + 64 + 128, encoder.parameterCount());
        encoder.eval();
        assertTrue(!encoder.get(0).isTraining() && !encoder.get(1).children().get("bn").isTraining());
    }

    @Test
    void duplicateNamesRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                addBuffer("x", BE.persistentZeros(dev.spikevae.tensor.Shape.of(1)));
                addBuffer("x", BE.persistentZeros(dev.spikevae.tensor.Shape.of(1)));
            }

            @Override
            public dev.spikevae.tensor.Tensor forward(dev.spikevae.tensor.Tensor x) {
                return x;
            }
        });
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }
}
