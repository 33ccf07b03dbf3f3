package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.BackendOptions;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

/**
 * Finds out once per process whether the CUDA backend can run, without ever letting a missing library
 * escape as an error: the JCuda driver natives (which need libcuda.so.1), cuInit, the device count and
 * driver version, the device, the PTX modules (JIT errors reported), then cuBLAS and cuDNN, each on its
 * own (not even loaded under {@code --no-vendor-libs}). The outcome is cached: after a failed native load
 * JCuda's classes are unusable for good, so they are never touched again.
 */
public final class CudaProbe {
    /** Turns the backend off without probing (e.g. to test the CPU fallback on a GPU machine). */
    public static final String DISABLE_PROPERTY = "spikevae.cuda.disable";

    /** The capabilities and, when available, the opened device. */
    public record Result(CudaCapabilities capabilities, JCudaDevice device) {
    }

    /** The device probe, and the same with the vendor libraries probed too; each runs at most once. */
    private static Result device;
    private static Result withVendorLibraries;

    private CudaProbe() {
    }

    /** The probe with the default options: cuBLAS and cuDNN too, unless {@code -Dspikevae.noVendorLibs=true}. */
    public static Result result() {
        return result(BackendOptions.defaults().vendorLibraries());
    }

    /** The probe; without {@code vendorLibraries}, cuBLAS and cuDNN are not touched (unless an earlier call did). */
    public static synchronized Result result(boolean vendorLibraries) {
        if (device == null) {
            device = run();
        }
        if (!vendorLibraries) {
            return withVendorLibraries != null ? withVendorLibraries : device;
        }
        if (withVendorLibraries == null) {
            withVendorLibraries = device.device() == null ? device : withVendorLibraries(device);
        }
        return withVendorLibraries;
    }

    public static CudaCapabilities capabilities() {
        return result().capabilities();
    }

    private static Result unavailable(String reason, int driverVersion) {
        return new Result(CudaCapabilities.unavailable(reason, driverVersion), null);
    }

    private static Result run() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            return unavailable("disabled by -D" + DISABLE_PROPERTY + "=true", 0);
        }
        int init;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            init = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            return unavailable(linkageReason("the CUDA driver API (JCudaDriver)", e), 0);
        }
        int[] value = new int[1];
        int driverVersion = JCudaDriver.cuDriverGetVersion(value) == CUresult.CUDA_SUCCESS ? value[0] : 0;
        if (init != CUresult.CUDA_SUCCESS) {
            return unavailable(initReason(init), driverVersion);
        }
        if (JCudaDriver.cuDeviceGetCount(value) != CUresult.CUDA_SUCCESS || value[0] == 0) {
            return unavailable("no CUDA device: the driver (CUDA " + CudaCapabilities.driverVersionText(driverVersion)
                    + ") reports none", driverVersion);
        }
        CUdevice device = new CUdevice();
        byte[] nameBytes = new byte[256];
        long[] memory = new long[1];
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] sms = new int[1];
        String name;
        try {
            JCudaDevice.check(JCudaDriver.cuDeviceGet(device, 0), "cuDeviceGet");
            JCudaDevice.check(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
            JCudaDevice.check(JCudaDriver.cuDeviceTotalMem(memory, device), "cuDeviceTotalMem");
            JCudaDevice.check(JCudaDriver.cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
                    "cuDeviceGetAttribute");
            JCudaDevice.check(JCudaDriver.cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
                    "cuDeviceGetAttribute");
            JCudaDevice.check(JCudaDriver.cuDeviceGetAttribute(sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
                    "cuDeviceGetAttribute");
            name = cString(nameBytes);
        } catch (CudaException e) {
            return unavailable("CUDA device 0 could not be queried: " + e.getMessage(), driverVersion);
        }
        int cc = major[0] * 10 + minor[0];
        if (cc < 75) {
            return unavailable("CUDA device " + name + " has compute capability " + major[0] + "." + minor[0]
                    + "; the kernels need 7.5 or newer", driverVersion);
        }
        String description = name + ", " + String.format("%.1f", memory[0] / (double) (1L << 30)) + " GiB, compute "
                + major[0] + "." + minor[0] + ", " + sms[0] + " SMs, driver CUDA "
                + CudaCapabilities.driverVersionText(driverVersion);
        JCudaDevice.Opened opened;
        try {
            opened = JCudaDevice.open(device, cc, sms[0], description);
        } catch (CudaException | IllegalStateException | IllegalArgumentException e) {
            return new Result(new CudaCapabilities(false, "the CUDA kernels did not load on " + name + ": " + e.getMessage(),
                    driverVersion, name, cc, memory[0], sms[0], "failed: " + e.getMessage(),
                    CudaCapabilities.Library.notProbed("the kernels did not load"),
                    CudaCapabilities.Library.notProbed("the kernels did not load")), null);
        }
        String modules = (PtxModules.ALL.size() - opened.skipped().size()) + " modules loaded"
                + (opened.skipped().isEmpty() ? "" : ", skipped " + String.join(", ", opened.skipped()));
        CudaCapabilities.Library off = vendorLibrary(false, null);
        return new Result(new CudaCapabilities(true, null, driverVersion, name, cc, memory[0], sms[0], modules, off, off),
                opened.device());
    }

    /** The device probe with cuBLAS and cuDNN probed and, where they start, attached to the device. */
    private static Result withVendorLibraries(Result r) {
        CudaCapabilities c = r.capabilities();
        CudaCapabilities.Library cublas = probeCublas(r.device());
        CudaCapabilities.Library cudnn = probeCudnn(r.device());
        return new Result(new CudaCapabilities(c.available(), c.reason(), c.driverVersion(), c.deviceName(),
                c.computeCapability(), c.totalMemory(), c.multiprocessors(), c.modules(), cublas, cudnn), r.device());
    }

    /**
     * A vendor library's probe, or none at all when vendor libraries are turned off: their natives are then never
     * loaded, so a broken cuBLAS or cuDNN installation cannot take the own kernels down with it.
     */
    static CudaCapabilities.Library vendorLibrary(boolean wanted, Supplier<CudaCapabilities.Library> probe) {
        return wanted ? probe.get() : CudaCapabilities.Library.notProbed("vendor libraries turned off (--no-vendor-libs)");
    }

    private static CudaCapabilities.Library probeCublas(JCudaDevice device) {
        try {
            CublasGemm g = CublasGemm.open(device);
            device.vendorGemm(g);
            return new CudaCapabilities.Library(true, g.name() + " (GEMM and convolution GEMMs use it unless --no-vendor-libs)");
        } catch (LinkageError e) {
            return new CudaCapabilities.Library(false, linkageReason("JCublas2", e));
        } catch (RuntimeException e) {
            return new CudaCapabilities.Library(false, "cuBLAS failed to start: " + e.getMessage());
        }
    }

    private static CudaCapabilities.Library probeCudnn(JCudaDevice device) {
        try {
            CudnnConv c = CudnnConv.open(device);
            device.vendorConv(c);
            return new CudaCapabilities.Library(true, c.name()
                    + " (convolutions with f32 operands use it unless --no-vendor-libs)");
        } catch (LinkageError e) {
            return new CudaCapabilities.Library(false, linkageReason("JCudnn", e));
        } catch (RuntimeException e) {
            return new CudaCapabilities.Library(false, "cuDNN failed to start: " + e.getMessage());
        }
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    private static final Pattern MISSING_SO = Pattern.compile("(lib[\\w.+-]+?\\.so[\\w.]*): cannot open shared object file");

    /**
     * One line for a native library that did not load: the missing shared object when the message names
     * one ("no CUDA driver: libcuda.so.1 not found" for the driver), else the first line of the error.
     */
    static String linkageReason(String what, Throwable e) {
        String msg = String.valueOf(e.getMessage());
        Matcher m = MISSING_SO.matcher(msg);
        String missing = null;
        while (m.find()) {
            missing = m.group(1);
        }
        if (missing != null && missing.startsWith("libcuda.so")) {
            return "no CUDA driver: " + missing + " not found (the NVIDIA driver is not installed or not visible here)";
        }
        if (missing != null) {
            return what + " did not load: " + missing + " not found";
        }
        // JCuda's message nests the loader's errors; the one from loading its own .so names the real cause
        for (String line : msg.lines().toList()) {
            int at = line.indexOf("UnsatisfiedLinkError: /");
            if (at >= 0) {
                String cause = line.substring(at + "UnsatisfiedLinkError: ".length());
                int natives = cause.indexOf(".so: ");
                return what + " did not load: " + (natives >= 0 ? cause.substring(natives + 5) : cause);
            }
        }
        String first = msg.lines().findFirst().orElse(e.toString());
        if (e instanceof NoClassDefFoundError) {
            return what + " is unusable after an earlier failed load: " + first;
        }
        return what + " did not load: " + first;
    }

    /** Why cuInit failed, in words (the failure modes listed in docs/gpu.md). */
    static String initReason(int code) {
        String name = CUresult.stringFor(code);
        return switch (code) {
            case 100 -> "no CUDA device: cuInit returned " + name + " (a driver is installed but sees no GPU)";
            case 34 -> "no CUDA device: cuInit returned " + name
                    + " (a stub libcuda: e.g. a container started without GPU access)";
            case 35 -> "the CUDA driver is too old: cuInit returned " + name + " (R525 or newer is needed)";
            default -> "CUDA driver failed to initialise: cuInit returned " + name + " (" + code + ")";
        };
    }


}
