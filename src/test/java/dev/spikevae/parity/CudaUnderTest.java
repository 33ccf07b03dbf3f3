package dev.spikevae.parity;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.backend.cuda.CudaBackend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.backend.cuda.CudaProbe;
import dev.spikevae.backend.cuda.Device;
import dev.spikevae.backend.cuda.EmulatedDevice;
import dev.spikevae.tensor.Backend;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The backends a parity test compares: the CPU backend (the reference) and the CUDA backend on its own kernels
 * (vendor libraries off: the path that must always work), on a real GPU when the probe finds one, else on the
 * emulated device (the same kernels compiled for the CPU) when its library was built. {@code
 * -Dspikevae.parity.device=gpu} or {@code =emulator} insists on one. Where neither runs, the caller is skipped
 * with both reasons; under {@code CI=true} that is a failure instead, so CI can never pass by skipping.
 */
final class CudaUnderTest {
    /** auto (default), gpu or emulator. */
    static final String DEVICE_PROPERTY = "spikevae.parity.device";

    private static Backend backend;
    private static Backend tf32Backend;
    private static String label;
    private static Backend vendorGpu;
    private static final Backend[] gpuPair = new Backend[2];
    private static final Backend[] emulatorPair = new Backend[2];
    private static EmulatedDevice emulatedDevice;
    private static CpuBackend cpu;

    private CudaUnderTest() {
    }

    private record Target(Device device, String label) {
    }

    private static Target target() {
        String mode = System.getProperty(DEVICE_PROPERTY, "auto");
        if (!mode.equals("auto") && !mode.equals("gpu") && !mode.equals("emulator")) {
            throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + "=" + mode + ": expected auto, gpu or emulator");
        }
        String gpuReason = null;
        if (!mode.equals("emulator")) {
            CudaProbe.Result r = CudaProbe.result();
            if (r.device() != null) {
                return new Target(r.device(), "gpu");
            }
            gpuReason = "no usable GPU: " + r.capabilities().reason();
        }
        String emulatorReason = null;
        if (!mode.equals("gpu")) {
            emulatorReason = EmulatedDevice.unavailableReason();
            if (emulatorReason == null) {
                EmulatedDevice d = EmulatedDevice.fromSystemProperties();
                return new Target(d, "emulator, " + d.schedule().label());
            }
        }
        String why = "CUDA parity not run: " + (gpuReason == null ? "" : gpuReason)
                + (gpuReason != null && emulatorReason != null ? "; " : "") + (emulatorReason == null ? "" : emulatorReason);
        if ("true".equals(System.getenv("CI")) && !mode.equals("gpu")) {
            Assertions.fail(why + " (CI=true: the emulated device must be built; install g++)");
        }
        Assumptions.abort(why);
        return null;
    }

    /** The CUDA backend on its own kernels, FP32 GEMM. */
    static synchronized Backend gpuOrSkip() {
        if (backend == null) {
            Target t = target();
            backend = ownKernels(t.device(), false);
            label = t.label();
        }
        return backend;
    }

    /** The same device with the own SGEMM on TF32 tensor cores; skipped where the device has none. */
    static synchronized Backend tf32OrSkip() {
        if (tf32Backend == null) {
            gpuOrSkip();
            Device d = ((CudaBackend) backend).device();
            Assumptions.assumeTrue(d.entries().containsKey("sgemm_tf32_128x128"),
                    () -> "no TF32 tensor cores on " + d.description() + ": TF32 parity not run");
            tf32Backend = ownKernels(d, true);
        }
        return tf32Backend;
    }

    /** The CUDA backend's own kernels on a real GPU only (TF32 GEMM if asked); skipped without one. */
    static synchronized Backend realGpuOrSkip(boolean tf32) {
        CudaProbe.Result r = CudaProbe.result();
        Assumptions.assumeTrue(r.device() != null, () -> "no usable GPU: " + r.capabilities().reason());
        return cached(gpuPair, r.device(), tf32, "GPU");
    }

    /** The CUDA backend's own kernels on the emulated device only (TF32 GEMM if asked); skipped without it. */
    static synchronized Backend emulatorOrSkip(boolean tf32) {
        String why = EmulatedDevice.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> String.valueOf(why));
        if (emulatorPair[0] == null && emulatorPair[1] == null) {
            emulatedDevice = EmulatedDevice.fromSystemProperties();
        }
        return cached(emulatorPair, emulatedDevice, tf32, "the emulated device");
    }

    private static Backend cached(Backend[] pair, Device device, boolean tf32, String where) {
        int i = tf32 ? 1 : 0;
        if (pair[i] == null) {
            Assumptions.assumeTrue(!tf32 || device.entries().containsKey("sgemm_tf32_128x128"),
                    () -> "no TF32 tensor cores on " + where);
            pair[i] = ownKernels(device, tf32);
        }
        return pair[i];
    }

    /** Where the CUDA backend under test runs: "gpu" or "emulator, SCHEDULE". */
    static synchronized String label() {
        gpuOrSkip();
        return label;
    }

    private static Backend ownKernels(Device device, boolean tf32) {
        return new CudaBackend(device, tf32, false);
    }

    /**
     * The CUDA backend with the vendor libraries on (cuDNN convolutions; cuBLAS GEMM where it loaded too); only a
     * real GPU has them. The caller is skipped, with the reason, where cuDNN did not load or vendor libraries are off.
     */
    static synchronized Backend cudnnGpuOrSkip() {
        CudaProbe.Result r = vendorProbe("cuDNN");
        Assumptions.assumeTrue(r.capabilities().cudnn().loaded(),
                () -> "cuDNN did not load, cuDNN parity not run: " + r.capabilities().cudnn().detail());
        return vendorGpu(r);
    }

    /** As {@link #cudnnGpuOrSkip}, for cuBLAS. */
    static synchronized Backend cublasGpuOrSkip() {
        CudaProbe.Result r = vendorProbe("cuBLAS");
        Assumptions.assumeTrue(r.capabilities().cublas().loaded(),
                () -> "cuBLAS did not load, cuBLAS parity not run: " + r.capabilities().cublas().detail());
        return vendorGpu(r);
    }

    private static CudaProbe.Result vendorProbe(String library) {
        Assumptions.assumeTrue(BackendOptions.defaults().vendorLibraries(),
                "vendor libraries turned off (-Dspikevae.noVendorLibs), " + library + " parity not run");
        CudaProbe.Result r = CudaProbe.result(true);
        Assumptions.assumeTrue(r.device() != null, () -> "no usable GPU (" + library + " exists only there), "
                + library + " parity not run: " + r.capabilities().reason());
        return r;
    }

    private static Backend vendorGpu(CudaProbe.Result r) {
        if (vendorGpu == null) {
            vendorGpu = new CudaBackend(r.device(), false, true);
        }
        return vendorGpu;
    }

    static synchronized Backend cpu() {
        if (cpu == null) {
            cpu = new CpuBackend(2);
        }
        return cpu;
    }
}
