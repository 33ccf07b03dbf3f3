package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe's answers without a usable GPU, and how they reach {@code --device auto} and {@code --device cuda}. */
class CudaProbeTest {

    @Test
    void aMissingDriverIsNamed() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open "
                + "shared object file: No such file or directory");
        assertEquals("no CUDA driver: libcuda.so.1 not found (the NVIDIA driver is not installed or not visible here)",
                CudaProbe.linkageReason("the CUDA driver API (JCudaDriver)", e));
        UnsatisfiedLinkError blas = new UnsatisfiedLinkError("/tmp/libJCublas2-12.6.0-linux-x86_64.so: libcublas.so.12: "
                + "cannot open shared object file: No such file or directory");
        assertEquals("JCublas2 did not load: libcublas.so.12 not found", CudaProbe.linkageReason("JCublas2", blas));
        UnsatisfiedLinkError broken = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver\"\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: /opt/x/libcuda.so.1: file too short");
        assertEquals("JCudaDriver did not load: /opt/x/libcuda.so.1: file too short",
                CudaProbe.linkageReason("JCudaDriver", broken));
        assertTrue(CudaProbe.linkageReason("JCudnn", new NoClassDefFoundError("Could not initialize class jcuda.jcudnn.JCudnn"))
                .contains("unusable after an earlier failed load"));
    }

    @Test
    void vendorLibrariesAreNotEvenLoadedWhenTurnedOff() {
        CudaCapabilities.Library off = CudaProbe.vendorLibrary(false, () -> {
            throw new AssertionError("the probe of a library that is not wanted ran");
        });
        assertFalse(off.loaded());
        assertEquals("not probed: vendor libraries turned off (--no-vendor-libs)", off.detail());
        CudaCapabilities.Library loaded = new CudaCapabilities.Library(true, "cuDNN 9.5");
        assertEquals(loaded, CudaProbe.vendorLibrary(true, () -> loaded));
    }

    @Test
    void cuInitFailuresAreExplained() {
        assertTrue(CudaProbe.initReason(100).startsWith("no CUDA device"), CudaProbe.initReason(100));
        assertTrue(CudaProbe.initReason(100).contains("CUDA_ERROR_NO_DEVICE"));
        assertTrue(CudaProbe.initReason(34).contains("CUDA_ERROR_STUB_LIBRARY"));
        assertTrue(CudaProbe.initReason(35).contains("too old"));
        assertTrue(CudaProbe.initReason(999).contains("999"));
    }

    @Test
    void withoutAGpuAutoFallsBackToTheCpuAndCudaFailsWithTheSameReason() {
        CudaCapabilities c = CudaProbe.capabilities();
        Assumptions.assumeFalse(c.available(), "a GPU is available here: " + c.summary());
        assertNotNull(c.reason());
        assertFalse(c.reason().isBlank());
        assertFalse(c.cublas().loaded());
        assertFalse(c.cudnn().loaded());
        assertTrue(c.doctorLines(true).stream().anyMatch(l -> l.startsWith("driver")), c.doctorLines(true).toString());
        if (!libcudaPresent()) {
            assertTrue(c.reason().startsWith("no CUDA driver: libcuda.so.1 not found"), c.reason());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.select("cuda"));
        assertEquals("device cuda is unavailable: " + c.reason(), e.getMessage());
        Backend auto = Backends.select("auto");
        assertEquals("cpu", auto.name());
        assertTrue(Backends.lastAutoNote().contains("cuda unavailable: " + c.reason()), Backends.lastAutoNote());
        assertEquals(c, CudaProbe.capabilities(), "probed once, cached");
    }

    private static boolean libcudaPresent() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64",
            "/usr/local/cuda/lib64/stubs"}) {
            if (new java.io.File(dir, "libcuda.so.1").exists()) {
                return true;
            }
        }
        String ld = System.getenv("LD_LIBRARY_PATH");
        return ld != null && !ld.isBlank();
    }
}
