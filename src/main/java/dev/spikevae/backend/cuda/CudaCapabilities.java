package dev.spikevae.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * What the CUDA probe found, once per process: whether the backend can run and, if not, why; the driver,
 * the device, the modules and the optional vendor libraries (each probed on its own).
 *
 * @param available         the backend can run
 * @param reason            why not (null when available)
 * @param driverVersion     e.g. 12080 for CUDA 12.8, 0 when no driver answered
 * @param deviceName        device 0, or null
 * @param computeCapability major * 10 + minor, 0 when unknown
 * @param totalMemory       bytes of device memory
 * @param multiprocessors   SM count
 * @param modules           modules loaded and skipped, or why they did not load
 * @param cublas            cuBLAS (JCublas2) status
 * @param cudnn             cuDNN (JCudnn) status
 */
public record CudaCapabilities(boolean available, String reason, int driverVersion, String deviceName,
                               int computeCapability, long totalMemory, int multiprocessors, String modules,
                               Library cublas, Library cudnn) {

    /** An optional vendor library: whether it loaded, and the version or the reason. */
    public record Library(boolean loaded, String detail) {
        public static Library notProbed(String why) {
            return new Library(false, "not probed: " + why);
        }
    }

    /** The outcome when the driver itself is missing or unusable. */
    public static CudaCapabilities unavailable(String reason, int driverVersion) {
        return new CudaCapabilities(false, reason, driverVersion, null, 0, 0, 0, "not loaded",
                Library.notProbed("no usable CUDA device"), Library.notProbed("no usable CUDA device"));
    }

    /** "12.8" for 12080. */
    public static String driverVersionText(int v) {
        return v <= 0 ? "none" : v / 1000 + "." + v % 1000 / 10;
    }

    /** One line for the backend list of doctor and for {@code --device auto}. */
    public String summary() {
        if (!available) {
            return reason;
        }
        return deviceName + " (compute " + computeCapability / 10 + "." + computeCapability % 10 + ", " + multiprocessors
                + " SMs, " + String.format("%.1f", totalMemory / (double) (1L << 30)) + " GiB), driver CUDA "
                + driverVersionText(driverVersion);
    }

    /** The detail lines doctor prints under the cuda backend ({@code vendorLibraries}: whether they may be used). */
    public List<String> doctorLines(boolean vendorLibraries) {
        List<String> out = new ArrayList<>();
        out.add("driver   " + (driverVersion > 0 ? "CUDA " + driverVersionText(driverVersion) : "none"));
        if (deviceName != null) {
            out.add("device   " + summary());
        }
        out.add("kernels  " + modules + " (PTX: " + PtxModules.buildNote() + ")");
        out.add("cuBLAS   " + (cublas.loaded() ? "loaded, " : "not used: ") + cublas.detail());
        out.add("cuDNN    " + (cudnn.loaded() ? "loaded, " : "not used: ") + cudnn.detail());
        if (available) {
            out.add("conv     " + convolutionPath(cudnn.loaded(), cublas.loaded(), !vendorLibraries));
        }
        return out;
    }

    /** Which path the CUDA backend's convolutions take, in words (doctor's "conv" line). */
    static String convolutionPath(boolean cudnnLoaded, boolean cublasLoaded, boolean noVendorLibs) {
        String gemm = cublasLoaded && !noVendorLibs ? "cuBLAS" : "own SGEMM kernels";
        String own = "im2col + GEMM (" + gemm + ")";
        if (cudnnLoaded && !noVendorLibs) {
            return "cuDNN for f32 operands; u8 spike operands and empty batches: " + own;
        }
        return own + (cudnnLoaded ? ", cuDNN turned off by --no-vendor-libs" : "");
    }
}
