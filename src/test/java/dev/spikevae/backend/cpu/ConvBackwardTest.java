package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Both gradients of a convolution in one op ({@code convBackward}) are the values of the two ops it stands for, bit
 * for bit: {@code convBackwardData} without bias and {@code convBackwardWeight} with beta 0, on every thread count. At
 * 16 lanes E1's geometry (3 x 3, stride 2, padding 1, 32 x 32 onto 16 x 16, few input channels) takes the kernel that
 * makes the input gradient of each call's images right after their lane sums ({@link Conv#backwardBoth}); other
 * geometries and u8 operands take the two ops in turn.
 */
class ConvBackwardTest {
    private static final CpuBackend[] BACKENDS = {new CpuBackend(1), new CpuBackend(2), new CpuBackend(3)};

    /** E1's geometry at several batches (one image; fewer images than a call; groups of uneven size), and others. */
    private static final ConvGeometry[] GEOMETRIES = {
        ConvGeometry.conv(1, 3, 32, 32, 32, 3, 2, 1),
        ConvGeometry.conv(5, 3, 32, 32, 32, 3, 2, 1),
        ConvGeometry.conv(37, 3, 32, 32, 32, 3, 2, 1),
        ConvGeometry.conv(64, 3, 32, 32, 32, 3, 2, 1),
        ConvGeometry.conv(6, 1, 32, 32, 16, 3, 2, 1),
        ConvGeometry.conv(4, 2, 32, 32, 64, 3, 2, 1),
        // not E1's shape: a stride-2 layer on 16 x 16 planes, and stride 1
        ConvGeometry.conv(3, 8, 16, 16, 16, 3, 2, 1),
        ConvGeometry.conv(2, 4, 17, 18, 3, 3, 1, 1),
    };

    @Test
    void bothGradientsAreTheTwoOpsBitForBit() {
        for (ConvGeometry g : GEOMETRIES) {
            for (DType tx : DType.values()) {
                float[][] first = null;
                for (CpuBackend be : BACKENDS) {
                    float[][] both = gradients(be, g, tx, true);
                    float[][] apart = gradients(be, g, tx, false);
                    String what = g + ", x " + tx + ", " + be.threads() + " threads";
                    assertArrayEquals(apart[0], both[0], "input gradient, " + what);
                    assertArrayEquals(apart[1], both[1], "weight gradient, " + what);
                    if (first == null) {
                        first = both;
                    } else {
                        assertArrayEquals(first[0], both[0], "input gradient against 1 thread, " + what);
                        assertArrayEquals(first[1], both[1], "weight gradient against 1 thread, " + what);
                    }
                }
            }
        }
    }

    /** dx and dw of random operands (x f32 or spikes), by the one op or by the two; both outputs start as NaN. */
    private static float[][] gradients(CpuBackend be, ConvGeometry g, DType tx, boolean oneOp) {
        Rng rng = new Rng(g.batch() * 31 + g.outChannels());
        try (MemoryScope scope = MemoryScope.open()) {
            float[] xs = rng.uniformHost(g.inputShape().numel());
            if (tx == DType.U8) {
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = xs[i] < 0.2f ? 1f : 0f;
                }
            }
            Tensor x = be.fromHost(xs, g.inputShape().dims());
            if (tx == DType.U8) {
                Tensor spikes = be.empty(g.inputShape(), DType.U8);
                be.cast(x, spikes);
                x = spikes;
            }
            float[] dys = rng.uniformHost(g.outputShape().numel());
            for (int i = 0; i < dys.length; i++) {
                dys[i] = 2f * dys[i] - 1f;
            }
            Tensor dy = be.fromHost(dys, g.outputShape().dims());
            Tensor w = be.fromHost(rng.uniformHost(g.weightShape().numel()), g.weightShape().dims());
            Tensor dx = be.empty(g.inputShape());
            Tensor dw = be.empty(g.weightShape());
            be.fill(dx, Float.NaN);
            be.fill(dw, Float.NaN);
            if (oneOp) {
                be.convBackward(x, dy, w, dx, dw, g);
            } else {
                be.convBackwardData(dy, w, null, dx, g);
                be.convBackwardWeight(x, dy, dw, 0f, g);
            }
            return new float[][] {dx.toHost(), dw.toHost()};
        }
    }

    @Test
    void e1TakesTheOnePassKernelWhereBothOfItsKernelsApply() {
        Parallel pool = new Parallel(2);
        Conv conv = new Conv(pool, new Sgemm(pool));
        conv.setDirect(true); // whatever spikevae.conv.direct says
        for (ConvGeometry g : GEOMETRIES) {
            Rng rng = new Rng(5);
            float[] x = rng.uniformHost(g.inputShape().numel());
            float[] dy = rng.uniformHost(g.outputShape().numel());
            float[] w = rng.uniformHost(g.weightShape().numel());
            float[] dx = new float[x.length];
            float[] dw = new float[w.length];
            Arrays.fill(dx, Float.NaN);
            Arrays.fill(dw, Float.NaN);
            boolean expected = conv.hasDirect() && StrideTwoPlanes.dataFits(g) && LaneWeightGradient.fits(g);
            boolean taken = conv.backwardBoth(ConvOperand.of(x, 0), ConvOperand.of(dy, 0), w, 0, dx, 0, dw, 0, g);
            assertEquals(expected, taken, g.toString());
            // where not taken nothing is written
            assertEquals(taken, !Float.isNaN(dx[0]), "dx written, " + g);
            assertEquals(taken, !Float.isNaN(dw[0]), "dw written, " + g);
        }
        if (VectorSupport.floatLanes() == 16) {
            assertTrue(StrideTwoPlanes.dataFits(GEOMETRIES[0]) && LaneWeightGradient.fits(GEOMETRIES[0]),
                    "at 16 lanes E1's geometry takes both kernels");
        }
        assertFalse(StrideTwoPlanes.dataFits(GEOMETRIES[6]));
    }

    @Test
    void argumentsAreChecked() {
        CpuBackend be = BACKENDS[1];
        ConvGeometry g = GEOMETRIES[1];
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = be.zeros(g.inputShape());
            Tensor dy = be.zeros(g.outputShape());
            Tensor w = be.zeros(g.weightShape());
            Tensor dx = be.zeros(g.inputShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.convBackward(x, dy, w, dx, be.zeros(g.inputShape()), g));
            assertTrue(e.getMessage().contains("convBackward") && e.getMessage().contains("weight gradient"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> be.convBackward(x, be.zeros(g.inputShape()), w, dx, be.zeros(g.weightShape()), g));
            assertTrue(e.getMessage().contains("output gradient"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> be.convBackward(x, dy, w,
                    be.empty(g.inputShape(), DType.U8), be.zeros(g.weightShape()), g));
            assertTrue(e.getMessage().contains("convBackward") && e.getMessage().contains("U8"), e.getMessage());
        }
    }
}
