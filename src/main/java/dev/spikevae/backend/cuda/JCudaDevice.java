package dev.spikevae.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JITOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static jcuda.driver.CUjit_option.CU_JIT_ERROR_LOG_BUFFER;
import static jcuda.driver.CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * {@link Device} on a real GPU through the JCuda driver API: the primary context of one device, one
 * stream, and the PTX modules JIT-compiled by the driver. Every driver call's result is checked; with
 * {@code -Dspikevae.cuda.sync=true} every launch is followed by a synchronisation, so an asynchronous
 * kernel fault is reported with the kernel's name. Only created by {@link CudaProbe}.
 */
final class JCudaDevice implements Device {
    /** A device pointer whose address can be read (the field is protected in JCuda). */
    static final class DevicePointer extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    private static final ThreadLocal<JCudaDevice> BOUND = new ThreadLocal<>();

    private final CUcontext context;
    private final CUstream stream;
    private final Map<String, PtxEntry> entries;
    private final Map<String, CUfunction> functions;
    /** Allocation base address to its pointer object; addresses inside a block are found by floor lookup. */
    private final TreeMap<Long, DevicePointer> blocks = new TreeMap<>();
    private volatile boolean syncEachLaunch;
    private final int multiprocessors;
    private final int computeCapability;
    private final String description;
    private volatile VendorGemm vendorGemm;
    private volatile VendorConv vendorConv;

    private JCudaDevice(CUcontext context, CUstream stream, Map<String, PtxEntry> entries, Map<String, CUfunction> functions,
                        int multiprocessors, int computeCapability, String description) {
        this.context = context;
        this.stream = stream;
        this.entries = Collections.unmodifiableMap(entries);
        this.functions = functions;
        this.multiprocessors = multiprocessors;
        this.computeCapability = computeCapability;
        this.description = description;
    }

    /** Whether to wait after every kernel so that an asynchronous failure names its kernel (a debugging mode). */
    void syncEachLaunch(boolean on) {
        this.syncEachLaunch = on;
    }

    /** What loading the modules produced: the device, and the modules skipped (with why). */
    record Opened(JCudaDevice device, List<String> skipped) {
    }

    /**
     * Retains the primary context of {@code device}, creates the stream and loads every module whose
     * PTX the device can run. A module that fails to JIT-compile fails the whole open with the driver's
     * log, except the optional TF32 module, which is then skipped.
     */
    static Opened open(CUdevice device, int computeCapability, int multiprocessors, String description) {
        CUcontext context = new CUcontext();
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CUstream stream = new CUstream();
        check(cuStreamCreate(stream, 0), "cuStreamCreate");
        Map<String, PtxEntry> entries = new LinkedHashMap<>();
        Map<String, CUfunction> functions = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (String module : PtxModules.ALL) {
            boolean optional = module.endsWith("_tf32");
            if (PtxModules.minimumComputeCapability(module) > computeCapability) {
                skipped.add(module + " (needs compute capability " + PtxModules.minimumComputeCapability(module) / 10.0 + ")");
                continue;
            }
            String ptx = PtxModules.text(module);
            CUmodule handle = new CUmodule();
            byte[] text = (ptx + "\0").getBytes(StandardCharsets.US_ASCII);
            int r = cuModuleLoadData(handle, text);
            if (r != CUresult.CUDA_SUCCESS) {
                String log = jitLog(text);
                if (optional) {
                    skipped.add(module + " (JIT failed: " + CUresult.stringFor(r) + " " + log + ")");
                    continue;
                }
                throw new CudaException("CUDA module " + module + " did not load: " + CUresult.stringFor(r)
                        + (log.isEmpty() ? "" : "; JIT log: " + log), r);
            }
            for (PtxEntry e : PtxEntry.parse(module, ptx).values()) {
                CUfunction f = new CUfunction();
                check(cuModuleGetFunction(f, handle, e.name()), "cuModuleGetFunction " + e.name());
                entries.put(e.name(), e);
                functions.put(e.name(), f);
            }
        }
        JCudaDevice d = new JCudaDevice(context, stream, entries, functions, multiprocessors, computeCapability, description);
        BOUND.set(d);
        return new Opened(d, skipped);
    }

    /** The JIT compiler's error log for a module that failed to load (a second load, with a log buffer). */
    private static String jitLog(byte[] text) {
        try {
            JITOptions jit = new JITOptions();
            jit.putBytes(CU_JIT_ERROR_LOG_BUFFER, new byte[8192]);
            jit.putInt(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, 8192);
            cuModuleLoadDataJIT(new CUmodule(), Pointer.to(text), jit);
            String s = jit.getString(CU_JIT_ERROR_LOG_BUFFER);
            return s == null ? "" : s.trim().replace('\n', ' ');
        } catch (RuntimeException e) {
            return "(no JIT log: " + e + ")";
        }
    }

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(what + " failed: " + CUresult.stringFor(result) + " (" + result + ")", result);
        }
    }

    /** Makes this device's context current on the calling thread (vendor libraries need it too). */
    void bind() {
        if (BOUND.get() != this) {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            BOUND.set(this);
        }
    }

    CUstream stream() {
        return stream;
    }

    /** A pointer object for an address inside an allocated block (JCuda's documented offset API). */
    synchronized CUdeviceptr pointer(long address) {
        Map.Entry<Long, DevicePointer> e = blocks.floorEntry(address);
        if (e == null) {
            throw new IllegalStateException("cuda: address 0x" + Long.toHexString(address) + " is in no allocated block");
        }
        return e.getValue().withByteOffset(address - e.getKey());
    }

    void vendorGemm(VendorGemm g) {
        this.vendorGemm = g;
    }

    void vendorConv(VendorConv c) {
        this.vendorConv = c;
    }

    @Override
    public Map<String, PtxEntry> entries() {
        return entries;
    }

    @Override
    public Kernel kernel(String name) {
        CUfunction f = functions.get(name);
        if (f == null) {
            throw new IllegalStateException("cuda: no kernel '" + name + "' in the loaded modules " + PtxModules.ALL);
        }
        return new Kernel(entries.get(name), f);
    }

    @Override
    public synchronized long allocate(long bytes) {
        bind();
        DevicePointer p = new DevicePointer();
        int r = cuMemAlloc(p, Math.max(1, bytes));
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceOutOfMemoryException("cuMemAlloc of " + bytes + " bytes: " + CUresult.stringFor(r), r);
        }
        check(r, "cuMemAlloc of " + bytes + " bytes");
        long address = p.address();
        blocks.put(address, p);
        return address;
    }

    @Override
    public synchronized void free(long address) {
        bind();
        DevicePointer p = blocks.remove(address);
        if (p == null) {
            throw new IllegalStateException("cuda: free of 0x" + Long.toHexString(address) + ", which is no allocated block");
        }
        check(cuMemFree(p), "cuMemFree");
    }

    @Override
    public void copyToDevice(float[] src, int srcOffset, long dst, int count) {
        if (count == 0) {
            return;
        }
        bind();
        check(cuMemcpyHtoD(pointer(dst), Pointer.to(src).withByteOffset(4L * srcOffset), 4L * count), "cuMemcpyHtoD");
    }

    @Override
    public void copyToDevice(byte[] src, int srcOffset, long dst, int count) {
        if (count == 0) {
            return;
        }
        bind();
        check(cuMemcpyHtoD(pointer(dst), Pointer.to(src).withByteOffset(srcOffset), count), "cuMemcpyHtoD");
    }

    @Override
    public void copyToHost(long src, float[] dst, int dstOffset, int count) {
        if (count == 0) {
            return;
        }
        bind();
        check(cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOffset), pointer(src), 4L * count),
                "cuMemcpyDtoH (an earlier kernel may have failed; -Dspikevae.cuda.sync=true names it)");
    }

    @Override
    public void copyToHost(long src, byte[] dst, int dstOffset, int count) {
        if (count == 0) {
            return;
        }
        bind();
        check(cuMemcpyDtoH(Pointer.to(dst).withByteOffset(dstOffset), pointer(src), count),
                "cuMemcpyDtoH (an earlier kernel may have failed; -Dspikevae.cuda.sync=true names it)");
    }

    @Override
    public void copyOnDevice(long src, long dst, long bytes) {
        if (bytes == 0) {
            return;
        }
        bind();
        check(cuMemcpyDtoDAsync(pointer(dst), pointer(src), bytes, stream), "cuMemcpyDtoDAsync");
    }

    @Override
    public void fill32(long dst, int value, long count) {
        if (count == 0) {
            return;
        }
        bind();
        check(cuMemsetD32Async(pointer(dst), value, count, stream), "cuMemsetD32Async");
    }

    @Override
    public void fill8(long dst, byte value, long count) {
        if (count == 0) {
            return;
        }
        bind();
        check(cuMemsetD8Async(pointer(dst), value, count, stream), "cuMemsetD8Async");
    }

    @Override
    public void launch(Kernel kernel, LaunchConfig config, KernelArgs args) {
        args.checkComplete();
        if (config.isEmpty()) {
            return;
        }
        bind();
        Pointer params = (Pointer) args.nativeParams();
        if (params == null) {
            Pointer[] slots = new Pointer[args.count()];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = Pointer.to(args.slot(i));
            }
            params = Pointer.to(slots);
            args.nativeParams(params);
        }
        int r = cuLaunchKernel((CUfunction) kernel.handle(), config.gridX(), config.gridY(), config.gridZ(), config.block(),
                1, 1, 0, stream, params, null);
        if (r != CUresult.CUDA_SUCCESS) {
            throw new CudaException("CUDA kernel " + kernel.name() + " (grid " + config.gridX() + "x" + config.gridY() + "x"
                    + config.gridZ() + ", block " + config.block() + ") did not launch: " + CUresult.stringFor(r), r);
        }
        if (syncEachLaunch) {
            int s = cuStreamSynchronize(stream);
            if (s != CUresult.CUDA_SUCCESS) {
                throw new CudaException("CUDA kernel " + kernel.name() + " (grid " + config.gridX() + "x" + config.gridY()
                        + "x" + config.gridZ() + ", block " + config.block() + ") failed: " + CUresult.stringFor(s), s);
            }
        }
    }

    @Override
    public void synchronize() {
        bind();
        check(cuStreamSynchronize(stream),
                "cuStreamSynchronize (a kernel failed; run with -Dspikevae.cuda.sync=true to name it)");
    }

    @Override
    public int multiprocessors() {
        return multiprocessors;
    }

    @Override
    public int computeCapability() {
        return computeCapability;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public VendorGemm vendorGemm() {
        return vendorGemm;
    }

    @Override
    public VendorConv vendorConv() {
        return vendorConv;
    }
}
