package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The profiling device on the emulated GPU: every call counted under its name and launch shape, results unchanged. */
class ProfilingDeviceTest {

    private static float[] run(CudaBackend be) {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = be.empty(7, 5);
            Tensor b = be.empty(5, 3);
            be.uniform(a, 1, 0);
            be.uniform(b, 2, 0);
            Tensor c = be.empty(7, 3);
            be.matmul(false, false, 1f, a, b, 0f, c);
            be.affine(c, 2f, 1f, c);
            be.affine(c, 0.5f, 0f, c);
            float[] out = new float[21];
            be.copyToHost(c, out, 0);
            return out;
        }
    }

    @Test
    void countsEveryCallByNameAndShapeAndChangesNoResult() {
        String why = EmulatedDevice.unavailableReason();
        assumeTrue(why == null, () -> "the emulator is not built here: " + why);
        float[] plain = run(new CudaBackend(EmulatedDevice.fromSystemProperties(), false, false));
        ProfilingDevice profiled = new ProfilingDevice(EmulatedDevice.fromSystemProperties());
        float[] timed = run(new CudaBackend(profiled, false, false));
        assertArrayEquals(plain, timed);

        Map<String, long[]> e = profiled.timings();
        assertEquals(2, e.get("affine_f32 grid=1x1x1 block=256")[0], () -> "two affine launches in " + e.keySet());
        assertEquals(1, e.get("sgemm_64x64 grid=1x1x1 block=256")[0], () -> "one GEMM in " + e.keySet());
        assertTrue(e.keySet().stream().anyMatch(k -> k.contains(" grid=") && k.contains(" block=")), e::toString);
        assertEquals(1, e.get("copy device to host")[0]);
        assertTrue(e.get("allocate")[0] >= 3, "the three tensors' allocations at least");
        long calls = e.entrySet().stream().filter(x -> !x.getKey().startsWith("(host")).mapToLong(x -> x.getValue()[0])
                .sum();
        assertEquals(calls - 1, e.get("(host: between device calls)")[0], "a gap before every call but the first");
        String report = profiled.report();
        assertTrue(report.contains("by call and launch shape") && report.contains("by call:")
                && report.contains("copy device to host"), report);
    }

    @Test
    void wrapsOnlyWhenAskedAndNeverTwice() {
        Device d = new DryRunDevice();
        String old = System.getProperty(ProfilingDevice.PROPERTY);
        try {
            System.clearProperty(ProfilingDevice.PROPERTY);
            assertSame(d, ProfilingDevice.wrapIfRequested(d));
            System.setProperty(ProfilingDevice.PROPERTY, "true");
            Device p = ProfilingDevice.wrapIfRequested(d);
            assertTrue(p instanceof ProfilingDevice);
            assertSame(p, ProfilingDevice.wrapIfRequested(p));
        } finally {
            if (old == null) {
                System.clearProperty(ProfilingDevice.PROPERTY);
            } else {
                System.setProperty(ProfilingDevice.PROPERTY, old);
            }
        }
    }
}
