package dev.spikevae.backend.cuda;

import dev.spikevae.backend.cuda.EmulatedDevice.Schedule;
import dev.spikevae.tensor.BackendProvider;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The emulated device as a {@link Device}: the library is built wherever CI runs, every PTX kernel is in it with
 * the parameters its PTX declares, memory starts as NaN, pointers and copies must stay inside live blocks, memory
 * is finite, and it is no backend that {@code --device auto} could pick.
 */
class EmulatedDeviceTest {

    @Test
    void theEmulatorIsBuiltWhereCiRuns() {
        String why = EmulatedDevice.unavailableReason();
        if ("true".equals(System.getenv("CI"))) {
            assertNull(why, "CI=true, so the CUDA parity suite must run on the emulated device; install g++");
        }
        assumeTrue(why == null, () -> "the emulator is not built here: " + why);
    }

    @Test
    void everyPtxKernelIsThereWithItsSignature() {
        EmulatorRun e = EmulatorRun.on(Schedule.IN_ORDER);
        int declared = 0;
        for (String module : PtxModules.ALL) {
            declared += PtxEntry.parse(module, PtxModules.text(module)).size();
        }
        assertEquals(declared, e.device.entries().size());
        assertTrue(declared >= 48, "kernels: " + declared);
    }

    @Test
    void aParameterListThatDiffersFromThePtxIsNamed() {
        PtxEntry unary = PtxEntry.parse("elementwise", PtxModules.text("elementwise")).get("unary_f32");
        assertNull(EmulatedDevice.signatureMismatch(unary, "i4 p8 p8 i4 f4"));
        assertEquals("kernel unary_f32, parameter 4: F32 of 4 bytes in the PTX, an integer of 4 bytes in the C++ source",
                EmulatedDevice.signatureMismatch(unary, "i4 p8 p8 i4 i4"));
        assertEquals("kernel unary_f32: 5 parameters in the PTX, 4 in the C++ source",
                EmulatedDevice.signatureMismatch(unary, "i4 p8 p8 i4"));
        PtxEntry broadcast = PtxEntry.parse("elementwise", PtxModules.text("elementwise")).get("binary_broadcast_f32");
        assertNull(EmulatedDevice.signatureMismatch(broadcast, "i4 p8 p8 p8 i4 i4 s32 s32 s32"));
        assertTrue(EmulatedDevice.signatureMismatch(broadcast, "i4 p8 p8 p8 i4 i4 s32 s32 s36")
                .contains("parameter 8: STRUCT of 32 bytes in the PTX, a struct of 36 bytes"));
        PtxEntry philox = PtxEntry.parse("random", PtxModules.text("random")).get("philox_uniform");
        assertNull(EmulatedDevice.signatureMismatch(philox, "p8 i4 i8 i8"), "a 64-bit integer is a .u64 too");
    }

    @Test
    void freshMemoryReadsAsNaNAndCopiesRoundTrip() {
        EmulatorRun e = EmulatorRun.on(Schedule.IN_ORDER);
        long a = e.device.allocate(4 * 1001);
        float[] fresh = e.readFloats(a, 1001);
        for (float v : fresh) {
            assertTrue(Float.isNaN(v));
        }
        float[] v = {1f, -2f, 3.5f};
        e.device.copyToDevice(v, 0, a + 8, 3);
        e.device.fill32(a, Float.floatToRawIntBits(7f), 2);
        long b = e.device.allocate(20);
        e.device.copyOnDevice(a, b, 20);
        assertEquals(List.of(7f, 7f, 1f, -2f, 3.5f), boxed(e.readFloats(b, 5)));
        e.device.free(a);
        e.device.free(b);
    }

    @Test
    void everyAccessMustLieInsideALiveBlock() {
        EmulatorRun e = EmulatorRun.on(Schedule.IN_ORDER);
        long a = e.device.allocate(64);
        float[] host = new float[17];
        String over = assertThrows(IllegalStateException.class, () -> e.device.copyToHost(a, host, 0, 17)).getMessage();
        assertTrue(over.contains("copyToHost of [0x" + Long.toHexString(a) + ", +68) is outside every live allocation"),
                over);
        long out = e.ints(32);
        e.device.free(a);
        assertThrows(IllegalStateException.class, () -> e.device.fill8(a, (byte) 0, 1));
        assertThrows(IllegalStateException.class, () -> e.device.free(a));
        String dangling = assertThrows(IllegalStateException.class,
                () -> e.kernel("emu_neighbour").ptr(a).i32(1).i32(1).run(1, 32)).getMessage();
        assertTrue(dangling.contains("kernel emu_neighbour, parameter 0: pointer 0x" + Long.toHexString(a)
                + " is outside every live allocation"), dangling);
        e.kernel("emu_neighbour").ptr(out).i32(1).i32(1).run(1, 32);
    }

    @Test
    void memoryIsFinite() {
        EmulatorRun.on(Schedule.IN_ORDER);
        EmulatedDevice small = new EmulatedDevice(Schedule.IN_ORDER, 1, 1, 1 << 20);
        small.allocate(1 << 19);
        DeviceOutOfMemoryException x = assertThrows(DeviceOutOfMemoryException.class, () -> small.allocate(1 << 20));
        assertTrue(x.getMessage().contains("emulated cuMemAlloc of 1048576 bytes"), x.getMessage());
    }

    @Test
    void noBackendProviderOffersTheEmulator() {
        TreeSet<String> kinds = new TreeSet<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            kinds.add(p.kind());
            assertTrue(!p.getClass().getName().contains("Emulat"), p.getClass().getName());
        }
        assertEquals(new TreeSet<>(List.of("cpu", "cuda")), kinds);
    }

    @Test
    void schedulesParseFromTheirLabels() {
        for (Schedule s : Schedule.values()) {
            assertEquals(s, Schedule.parse(s.label()));
        }
        String m = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("backwards")).getMessage();
        assertTrue(m.contains("expected in-order, reversed or shuffled[:seed]"), m);
    }

    private static List<Float> boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return List.of(b);
    }
}
