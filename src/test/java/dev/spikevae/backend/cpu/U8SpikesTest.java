package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spikes stored as u8 give exactly what f32 spikes give, in every op that accepts them. */
class U8SpikesTest {
    private static final Backend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};
    private static final Backend BE = BACKENDS[1];

    private static Tensor spikes(Backend be, Rng rng, DType type, int... dims) {
        float[] v = rng.uniformHost(Shape.of(dims).numel());
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] < 0.3f ? 1f : 0f;
        }
        Tensor f = be.fromHost(v, dims);
        if (type == DType.F32) {
            return f;
        }
        Tensor u = be.empty(f.shape(), DType.U8);
        be.cast(f, u);
        return u;
    }

    @Test
    void memoryOpsConvertAndCheckTypes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor f = BE.fromHost(new float[] {0f, 1f, 2.9f, 255f, 300f, -4f}, 6);
            Tensor u = BE.empty(Shape.of(6), DType.U8);
            BE.cast(f, u);
            assertEquals(DType.U8, u.dtype());
            assertArrayEquals(new float[] {0f, 1f, 2f, 255f, 255f, 0f}, u.toHost());
            Tensor back = BE.empty(Shape.of(2, 3));
            BE.cast(u, back);
            assertArrayEquals(u.toHost(), back.toHost());
            BE.fill(u, 1f);
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, u.toHost());
            Tensor u2 = BE.empty(Shape.of(3, 2), DType.U8);
            BE.copy(u, u2);
            assertArrayEquals(u.toHost(), u2.toHost());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BE.copy(u, back));
            assertTrue(e.getMessage().contains("use cast"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> BE.unary(dev.spikevae.tensor.UnaryOp.TANH, u, back, 0f));
            assertTrue(e.getMessage().contains("unary TANH") && e.getMessage().contains("U8"), e.getMessage());
        }
    }

    @Test
    void lifAndSamplerWriteTheSameSpikes() {
        Rng rng = new Rng(4);
        int steps = 16;
        int m = 1000 + 37;
        try (MemoryScope s = MemoryScope.open()) {
            float[] xs = rng.uniformHost(steps * m);
            for (int i = 0; i < xs.length; i++) {
                xs[i] = 0.6f * xs[i] - 0.1f;
            }
            for (Backend be : BACKENDS) {
                Tensor x = be.fromHost(xs, steps, m);
                Tensor sf = be.empty(x.shape());
                Tensor uf = be.empty(x.shape());
                Tensor sb = be.empty(x.shape(), DType.U8);
                Tensor ub = be.empty(x.shape());
                be.lifForward(x, sf, uf, LifParams.REFERENCE);
                be.lifForward(x, sb, ub, LifParams.REFERENCE);
                assertArrayEquals(sf.toHost(), sb.toHost(), "LIF spikes, threads " + be.threads());
                assertArrayEquals(uf.toHost(), ub.toHost(), "LIF membrane, threads " + be.threads());
                Tensor rate = be.fromHost(rng.uniformHost(m), m);
                Tensor zf = be.empty(Shape.of(steps, m));
                Tensor zb = be.empty(Shape.of(steps, m), DType.U8);
                be.bernoulliSpikes(rate, zf, 9, 100);
                be.bernoulliSpikes(rate, zb, 9, 100);
                assertArrayEquals(zf.toHost(), zb.toHost(), "sampler, threads " + be.threads());
            }
        }
    }

    @Test
    void convolutionsReadU8OperandsExactly() {
        Rng rng = new Rng(5);
        ConvGeometry[] geos = {ConvGeometry.conv(37, 5, 9, 7, 6, 3, 2, 1), ConvGeometry.transposed(33, 6, 4, 5, 3, 3, 2, 1, 1),
                ConvGeometry.conv(300, 4, 4, 4, 8, 3, 1, 1)};
        try (MemoryScope s = MemoryScope.open()) {
            for (ConvGeometry g : geos) {
                for (Backend be : BACKENDS) {
                    Rng r = new Rng(rng.seed(), 0);
                    Tensor xf = spikes(be, r, DType.F32, g.inputShape().dims());
                    Tensor xb = be.empty(xf.shape(), DType.U8);
                    be.cast(xf, xb);
                    Tensor dyf = spikes(be, r, DType.F32, g.outputShape().dims());
                    Tensor dyb = be.empty(dyf.shape(), DType.U8);
                    be.cast(dyf, dyb);
                    Tensor w = be.fromHost(r.uniformHost(g.weightShape().numel()), g.weightShape().dims());
                    Tensor bias = be.fromHost(r.uniformHost(g.outChannels()), g.outChannels());
                    Tensor y1 = be.empty(g.outputShape());
                    Tensor y2 = be.empty(g.outputShape());
                    be.convForward(xf, w, bias, y1, g);
                    be.convForward(xb, w, bias, y2, g);
                    assertArrayEquals(y1.toHost(), y2.toHost(), "forward " + g);
                    Tensor dx1 = be.empty(g.inputShape());
                    Tensor dx2 = be.empty(g.inputShape());
                    be.convBackwardData(dyf, w, null, dx1, g);
                    be.convBackwardData(dyb, w, null, dx2, g);
                    assertArrayEquals(dx1.toHost(), dx2.toHost(), "backwardData " + g);
                    Tensor dw1 = be.empty(g.weightShape());
                    Tensor dw2 = be.empty(g.weightShape());
                    be.convBackwardWeight(xf, dyf, dw1, 0f, g);
                    be.convBackwardWeight(xb, dyb, dw2, 0f, g);
                    assertArrayEquals(dw1.toHost(), dw2.toHost(), "backwardWeight " + g);
                }
            }
        }
    }

    /** u8 is unsigned everywhere: a value above 127 enters a convolution as itself, not as a negative byte. */
    @Test
    void convolutionsReadU8ValuesAbove127Unsigned() {
        ConvGeometry g = ConvGeometry.conv(2, 3, 5, 5, 4, 3, 1, 1);
        float[] v = new float[g.inputShape().numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = new float[] {0f, 1f, 128f, 200f, 255f}[i % 5];
        }
        try (MemoryScope s = MemoryScope.open()) {
            Tensor xf = BE.fromHost(v, g.inputShape().dims());
            Tensor xb = BE.empty(xf.shape(), DType.U8);
            BE.copyFromHost(v, 0, xb);
            assertArrayEquals(v, xb.toHost(), "u8 round trip");
            Tensor w = BE.fromHost(new Rng(8).uniformHost(g.weightShape().numel()), g.weightShape().dims());
            Tensor y1 = BE.empty(g.outputShape());
            Tensor y2 = BE.empty(g.outputShape());
            BE.convForward(xf, w, null, y1, g);
            BE.convForward(xb, w, null, y2, g);
            assertArrayEquals(y1.toHost(), y2.toHost());
        }
    }
}
