package dev.spikevae.autograd;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.LifParams;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TapeTest {
    private static final Backend BE = new CpuBackend(1);

    @Test
    void graphIsDroppedAfterBackwardAndGradientsAccumulate() {
        Tensor w = BE.persistentFromHost(new float[] {1, 2, 3}, 3).requiresGrad(true);
        for (int round = 1; round <= 2; round++) {
            try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
                Tensor loss = Ops.sum(Ops.square(w));
                assertEquals(2, tape.size());
                tape.backward(loss);
                assertEquals(0, tape.size(), "nothing of the graph survives backward()");
            }
            assertArrayEquals(new float[] {2 * round, 4 * round, 6 * round}, w.grad().toHost(), 1e-6f);
        }
    }

    @Test
    void noGradRecordsNothing() {
        Tensor w = BE.persistentFromHost(new float[] {1, 2}, 2).requiresGrad(true);
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            try (Tape.NoGrad ng = Tape.noGrad()) {
                Tensor y = Ops.square(w);
                assertFalse(y.requiresGrad());
                assertFalse(Tape.isRecording());
            }
            assertTrue(Tape.isRecording());
            assertEquals(0, tape.size());
        }
        try (MemoryScope scope = MemoryScope.open()) {
            assertFalse(Ops.square(w).requiresGrad(), "without a tape nothing is tracked");
        }
    }

    @Test
    void fanOutSumsGradients() {
        Tensor x = BE.persistentFromHost(new float[] {0.5f, -1f}, 2).requiresGrad(true);
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor y = Ops.tanh(x);
            Tensor loss = Ops.sum(Ops.add(Ops.mul(y, y), Ops.scale(y, 3f)));
            tape.backward(loss);
        }
        float[] g = x.grad().toHost();
        for (int i = 0; i < 2; i++) {
            double v = i == 0 ? 0.5 : -1;
            double t = Math.tanh(v);
            assertEquals((2 * t + 3) * (1 - t * t), g[i], 1e-6);
        }
    }

    @Test
    void consumedGradientsAreFreedDuringBackward() {
        CpuBackend be = new CpuBackend(1);
        int n = 1 << 16;
        Tensor x = be.persistentZeros(dev.spikevae.tensor.Shape.of(n)).requiresGrad(true);
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor y = Ops.tanh(Ops.tanh(Ops.tanh(Ops.scale(x, 2f))));
            Tensor loss = Ops.sum(y);
            long before = be.pooledBytes();
            tape.backward(loss);
            // Freed gradients are reused by the next node at once, so at least one array is left in the pool
            // (without early release, nothing would be before the scope closes).
            assertTrue(be.pooledBytes() >= before + 4L * n, "intermediate gradients went back to the pool before the "
                    + "step ended: " + before + " -> " + be.pooledBytes());
            assertFalse(y.isReleased(), "forward results stay usable after backward");
        }
        float[] g = x.grad().toHost();
        assertEquals(2f, g[0], 1e-6f); // d/dx tanh^3(2x) at 0
        assertEquals(2f, g[n - 1], 1e-6f);
    }

    /** Spikes of a tdBN + LIF node over x [T, N, C, HW], with unit weights and zero shifts. */
    private static Tensor spikes(Tensor x) {
        Backend be = x.backend();
        int c = x.dim(2);
        Tensor gamma = be.persistentFromHost(filled(c, 1f), c);
        Tensor beta = be.persistentFromHost(filled(c, 0f), c);
        return Ops.batchNormLif(x, 2, gamma, beta, null, null, true, 0.1f, 0.2f, 1e-5f, LifParams.REFERENCE, DType.F32);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i % 13) / 6.5f - 1f;
        }
        return a;
    }

    @Test
    void aGradientNoOneElseReadsIsOverwrittenInPlace() {
        CpuBackend be = new CpuBackend(1);
        int[] shape = {3, 2, 4, 256};
        int n = 3 * 2 * 4 * 256;
        Tensor x = be.persistentFromHost(ramp(n), shape).requiresGrad(true);
        x.setGrad(be.persistentZeros(x.shape()));
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            // sumTo's backward makes a fresh gradient of the spikes that nothing else reads
            Tensor loss = Ops.sum(Ops.sumTo(spikes(x), Shape.of(4, 1)));
            long before = be.liveBytes();
            be.resetPeakLiveBytes();
            tape.backward(loss);
            long extra = be.peakLiveBytes() - before;
            assertTrue(extra < 2L * 4 * n, "backward held one tensor of x's size at a time, not two: " + extra
                    + " bytes over " + 4 * n);
        }
    }

    @Test
    void aGradientAnotherNodeStillReadsIsNotOverwritten() {
        int[] shape = {3, 2, 4, 5};
        int n = 3 * 2 * 4 * 5;
        Tensor x = BE.persistentFromHost(ramp(n), shape).requiresGrad(true);
        Tensor v = BE.persistentZeros(Shape.of(shape)).requiresGrad(true);
        float[] k = ramp(n);
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor q = Ops.scale(v, 1f); // recorded first, so its backward runs after the fused node's
            Tensor z = Ops.add(spikes(x), q); // both addends get the very same gradient tensor
            tape.backward(Ops.sum(Ops.mul(z, BE.fromHost(k, shape))));
        }
        assertArrayEquals(k, v.grad().toHost(), "the shared gradient reached the second consumer intact");
    }

    @Test
    void misuseIsReportedClearly() {
        try (Tape tape = Tape.record()) {
            assertThrows(IllegalStateException.class, Tape::record);
            Tensor c = BE.scalar(1f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.backward(c));
            assertTrue(e.getMessage().contains("does not depend"), e.getMessage());
            Tensor v = BE.persistentFromHost(new float[] {1, 2}, 2).requiresGrad(true);
            Tensor y = Ops.square(v);
            e = assertThrows(IllegalArgumentException.class, () -> tape.backward(y));
            assertTrue(e.getMessage().contains("one element"), e.getMessage());
        }
        assertNull(Tape.active());
    }
}
