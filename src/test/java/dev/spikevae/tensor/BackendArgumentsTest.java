package dev.spikevae.tensor;

import dev.spikevae.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong shapes, tensors of another backend and bad arguments raise errors naming the op and the shapes. */
class BackendArgumentsTest {
    private static final Backend BE = new CpuBackend(1);
    private static final Backend OTHER = new CpuBackend(1);

    private static void fails(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void shapesAreNamed() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = BE.zeros(3, 4);
            Tensor b = BE.zeros(5, 6);
            Tensor c = BE.zeros(3, 6);
            fails(() -> BE.matmul(false, false, 1f, a, b, 0f, c), "matmul", "[3, 4]", "[5, 6]", "[3, 6]");
            fails(() -> BE.binary(BinaryOp.ADD, a, b, c), "binary ADD", "[3, 4]", "[5, 6]");
            ConvGeometry g = ConvGeometry.conv(2, 3, 8, 8, 4, 3, 2, 1);
            fails(() -> BE.convForward(BE.zeros(2, 3, 8, 7), BE.zeros(4, 3, 3, 3), null, BE.zeros(2, 4, 4, 4), g),
                    "convForward", "input", "[2, 3, 8, 7]", "[2, 3, 8, 8]");
            fails(() -> BE.lifForward(BE.zeros(4, 5), BE.zeros(4, 5), BE.zeros(5, 4), LifParams.REFERENCE), "lifForward",
                    "[4, 5]", "[5, 4]");
            fails(() -> BE.bernoulliSpikes(BE.zeros(3), BE.zeros(4, 2), 1, 0), "bernoulliSpikes", "[4, 2]", "[3]");
            fails(() -> BE.mmdForward(BE.zeros(3, 4), BE.zeros(3, 5), 5, 2f, BE.zeros(1), BE.zeros(1)), "mmdForward",
                    "[3, 4]", "[3, 5]");
            fails(() -> BE.reduceSum(BE.zeros(3, 4), BE.zeros(5), 1f, 0f), "reduceSum", "[5]", "[3, 4]");
            fails(() -> BE.batchNormStats(BE.zeros(4, 5), BE.zeros(5), BE.zeros(5)), "batchNormStats", "[4, 5]");
            fails(() -> BE.gemm(false, false, 4, 4, 4, 1f, a, 0, 4, a, 0, 4, 0f, a, 0, 4, 1, 0, 0, 0), "gemm", "[3, 4]");
        }
    }

    @Test
    void devicesAreChecked() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = BE.zeros(2, 2);
            Tensor b = OTHER.zeros(2, 2);
            fails(() -> BE.binary(BinaryOp.ADD, a, b, BE.zeros(2, 2)), "binary ADD", "different devices", "[2, 2]@cpu");
        }
    }

    @Test
    void badArgumentsAreRejected() {
        fails(() -> ConvGeometry.conv(1, 3, 2, 2, 4, 5, 1, 0), "convolution geometry");
        fails(() -> ConvGeometry.transposed(1, 3, 4, 4, 2, 3, 2, 1, 2), "output padding 2");
        fails(() -> new LifParams(1.5f, 0.2f, Surrogate.RECTANGLE, false, 0.5f, false), "decay");
        fails(() -> new AdamWParams(1e-3f, 0.9f, 1.0f, 1e-8f, 0f, 1), "AdamW");
        fails(() -> Shape.of(2, -1), "negative dimension");
        fails(() -> BE.fromHost(new float[5], 2, 3), "fromHost", "[2, 3]");
        fails(() -> Backends.select("tpu"), "unknown device 'tpu'");
    }

    /** Where CUDA is not usable it is refused with the probe's reason and auto takes the CPU; where it is, auto takes it. */
    @Test
    void cudaIsRefusedWithAReasonOrChosenByAuto() {
        Backend cuda;
        try {
            cuda = Backends.select("cuda");
        } catch (IllegalStateException e) {
            String prefix = "device cuda is unavailable: ";
            assertTrue(e.getMessage().startsWith(prefix) && e.getMessage().length() > prefix.length(), e.getMessage());
            assertEquals("cpu", Backends.select("auto").name());
            return;
        }
        assertEquals("cuda", cuda.name());
        assertEquals("cuda", Backends.select("auto").name());
    }
}
