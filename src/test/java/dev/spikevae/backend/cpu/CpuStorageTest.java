package dev.spikevae.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A CPU tensor's data starts on a cache line of its array (when the array starts on one), after its origin. */
class CpuStorageTest {

    @Test
    void theOriginPutsTheFirstElementOnALine() {
        assertTrue(CpuStorage.FLOAT_ORIGIN >= 0 && CpuStorage.FLOAT_ORIGIN < CpuStorage.LINE / Float.BYTES);
        assertTrue(CpuStorage.BYTE_ORIGIN >= 0 && CpuStorage.BYTE_ORIGIN < CpuStorage.LINE);
        assertEquals(0, (CpuStorage.FLOAT_BASE + Float.BYTES * CpuStorage.FLOAT_ORIGIN) % CpuStorage.LINE);
        assertEquals(0, (CpuStorage.BYTE_BASE + CpuStorage.BYTE_ORIGIN) % CpuStorage.LINE);
    }

    @Test
    void aLineArrayHoldsItsFloatsPastTheOriginAndUnderG1HalfARegion() {
        assertTrue(CpuStorage.lineArray(100).length >= CpuStorage.FLOAT_ORIGIN + 100);
        assertTrue(CpuStorage.lineArray(1 << 20).length >= CpuStorage.FLOAT_ORIGIN + (1 << 20));
        boolean g1 = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(gc -> gc.getName().startsWith("G1"));
        if (g1) {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
            assertTrue(region > 0);
            if (region / 2 <= 4L << 20) {
                assertTrue((long) Float.BYTES * CpuStorage.lineArray(100).length >= region / 2,
                        "a small line array is still half a region, so that G1 starts it on a region");
            }
        }
    }

    @Test
    void newTensorsStartAtTheOriginAndReadTheirOwnValues() {
        CpuBackend be = new CpuBackend(1);
        try (MemoryScope scope = MemoryScope.open()) {
            float[] host = {1f, -2f, 3.5f, 0f, 7f, 255f};
            Tensor f = be.fromHost(host, 2, 3);
            Tensor u = be.empty(Shape.of(2, 3), DType.U8);
            assertEquals(CpuStorage.FLOAT_ORIGIN, f.offset());
            assertEquals(CpuStorage.BYTE_ORIGIN, u.offset());
            assertEquals(f.offset() + 6, f.storage().capacity(), "the array holds the origin and the tensor");
            be.cast(f, u);
            Tensor back = be.empty(Shape.of(2, 3));
            be.cast(u, back);
            float[] out = new float[6];
            be.copyToHost(back, out, 0);
            assertArrayEquals(new float[] {1f, 0f, 3f, 0f, 7f, 255f}, out);
        }
    }
}
