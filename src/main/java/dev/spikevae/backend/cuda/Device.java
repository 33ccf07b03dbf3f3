package dev.spikevae.backend.cuda;

import java.util.Map;

/**
 * What the CUDA backend needs from a GPU: raw memory, copies, fills and kernel launches on one stream,
 * addressed by plain 64-bit device addresses. {@link JCudaDevice} implements it with the driver API;
 * tests use a recording implementation to check argument packing and launch shapes without a GPU.
 * Work is ordered: everything runs in submission order, and host copies wait for the work before them.
 */
public interface Device {

    /** Kernel entries of every loaded module, by name. */
    Map<String, PtxEntry> entries();

    /** A kernel by name; fails with the list of modules when it does not exist. */
    Kernel kernel(String name);

    /** {@code bytes} of device memory (at least 1); throws {@link DeviceOutOfMemoryException} when full. */
    long allocate(long bytes);

    void free(long address);

    void copyToDevice(float[] src, int srcOffset, long dst, int count);

    void copyToDevice(byte[] src, int srcOffset, long dst, int count);

    void copyToHost(long src, float[] dst, int dstOffset, int count);

    void copyToHost(long src, byte[] dst, int dstOffset, int count);

    void copyOnDevice(long src, long dst, long bytes);

    /** Sets {@code count} 32-bit words to {@code value}. */
    void fill32(long dst, int value, long count);

    /** Sets {@code count} bytes to {@code value}. */
    void fill8(long dst, byte value, long count);

    /** Launches {@code kernel} with the packed arguments; an empty configuration launches nothing. */
    void launch(Kernel kernel, LaunchConfig config, KernelArgs args);

    /** Waits for all submitted work; reports an asynchronous kernel failure. */
    void synchronize();

    /** Streaming multiprocessors (for tile-size choices). */
    int multiprocessors();

    /** Compute capability, major * 10 + minor. */
    int computeCapability();

    /** A line for doctor and bench: device name, memory, driver. */
    String description();

    /** The GEMM of the vendor library (cuBLAS), or null when it is not loaded or not wanted. */
    VendorGemm vendorGemm();

    /** The convolutions of the vendor library (cuDNN), or null when it is not loaded or not wanted. */
    VendorConv vendorConv();
}
