package dev.spikevae.backend.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Device} that runs the real kernels on the CPU: every kernel of src/main/cuda compiled unchanged as C++
 * (src/test/native/cuda-emu), launched as cuLaunchKernel launches it, by name, with the argument slots the call site
 * packed, the grid and the block size. Each CUDA thread is a fiber switched only at barriers and warp collectives,
 * in the order a {@link Schedule} gives, so a missing barrier shows up deterministically instead of by timing.
 *
 * <p>Memory is host memory between guard pages, filled with NaN bytes when allocated (as a parity test's NaN
 * outputs, an element a kernel forgets to write stays NaN). Every copy and fill must lie inside a live block and
 * every pointer argument inside one (or be null), as on {@link DryRunDevice}; at construction every kernel's C++
 * parameter list is checked against its PTX signature. For tests only: never a backend of {@code --device auto}.
 */
public final class EmulatedDevice implements Device {
    /** in-order, reversed or shuffled[:seed] (default in-order). */
    public static final String SCHEDULE_PROPERTY = "spikevae.cudaEmu.schedule";
    /** OS threads that run blocks (default: the cores, at most 4). */
    public static final String WORKERS_PROPERTY = "spikevae.cudaEmu.workers";
    /** Reported streaming multiprocessors: an H200's, so size-dependent choices (SGEMM tiles) match that GPU's. */
    static final int MULTIPROCESSORS = 132;
    /** Reported compute capability: 9.0, so the TF32 module loads. */
    static final int COMPUTE_CAPABILITY = 90;
    static final long DEFAULT_CAPACITY = 8L << 30;

    /**
     * The order in which a block's threads run between barriers. Every schedule runs a block warp by warp, each
     * warp as far as it can go (through its shuffles and votes) before the next; they differ in the order of the
     * warps and of the lanes within a warp.
     */
    public enum Schedule {
        /** Warps and lanes in ascending order; blocks in order. */
        IN_ORDER,
        /** Warps and lanes in descending order; blocks last to first. */
        REVERSED,
        /** Seeded permutations of the warps and of the lanes, new at every barrier. */
        SHUFFLED;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Schedule parse(String text) {
            for (Schedule s : values()) {
                if (s.label().equals(text)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("-D" + SCHEDULE_PROPERTY + "=" + text
                    + ": expected in-order, reversed or shuffled[:seed]");
        }
    }

    private final Schedule schedule;
    private final long seed;
    private final int workers;
    private final long capacity;
    private final Map<String, PtxEntry> entries = new LinkedHashMap<>();
    private final Map<String, Long> handles = new LinkedHashMap<>();
    private final TreeMap<Long, Long> live = new TreeMap<>();
    private long liveBytes;
    private long launches;

    /** Null when the emulator can run here, else why not. */
    public static String unavailableReason() {
        return CudaEmulator.unavailableReason();
    }

    /** A device with the schedule and worker count of the system properties. */
    public static EmulatedDevice fromSystemProperties() {
        String s = System.getProperty(SCHEDULE_PROPERTY, "in-order").trim();
        long seed = 1;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            seed = Long.parseLong(s.substring(colon + 1));
            s = s.substring(0, colon);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int workers = Integer.getInteger(WORKERS_PROPERTY, Math.min(4, cores));
        return new EmulatedDevice(Schedule.parse(s), seed, workers, DEFAULT_CAPACITY);
    }

    public EmulatedDevice(Schedule schedule, long seed, int workers, long capacityBytes) {
        String why = CudaEmulator.unavailableReason();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("-D" + WORKERS_PROPERTY + "=" + workers + ": at least 1");
        }
        this.schedule = schedule;
        this.seed = seed;
        this.workers = workers;
        this.capacity = capacityBytes;
        List<String> problems = new ArrayList<>();
        for (String module : PtxModules.ALL) {
            for (PtxEntry e : PtxEntry.parse(module, PtxModules.text(module)).values()) {
                long handle = CudaEmulator.kernel(e.name());
                String problem = handle == 0
                        ? "kernel " + e.name() + " of module " + module + " is not in the emulator library (rebuild it)"
                        : signatureMismatch(e, CudaEmulator.signature(handle));
                if (problem != null) {
                    problems.add(problem);
                    continue;
                }
                entries.put(e.name(), e);
                handles.put(e.name(), handle);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the emulated kernels do not match their PTX signatures:\n  "
                    + String.join("\n  ", problems));
        }
    }

    /**
     * Null when the C++ parameters ({@code "i4 p8 f4 s32"}: kind and bytes) are what the PTX entry declares, else a
     * line naming the kernel and the first parameter that differs.
     */
    static String signatureMismatch(PtxEntry e, String cpp) {
        String[] got = cpp.isBlank() ? new String[0] : cpp.trim().split(" ");
        List<PtxEntry.Param> want = e.params();
        if (got.length != want.size()) {
            return "kernel " + e.name() + ": " + want.size() + " parameters in the PTX, " + got.length + " in the C++ source";
        }
        for (int i = 0; i < got.length; i++) {
            PtxEntry.Param p = want.get(i);
            char kind = got[i].charAt(0);
            int bytes = Integer.parseInt(got[i].substring(1));
            boolean ok = bytes == p.bytes() && switch (p.kind()) {
                case B64 -> kind == 'p' || kind == 'i';
                case B32 -> kind == 'i';
                case F32 -> kind == 'f';
                case STRUCT -> kind == 's';
            };
            if (!ok) {
                return "kernel " + e.name() + ", parameter " + i + ": " + p.kind() + " of " + p.bytes()
                        + " bytes in the PTX, " + describe(kind) + " of " + bytes + " bytes in the C++ source";
            }
        }
        return null;
    }

    private static String describe(char kind) {
        return switch (kind) {
            case 'p' -> "a pointer";
            case 'i' -> "an integer";
            case 'f' -> "a floating-point value";
            case 's' -> "a struct";
            default -> "an unsupported type";
        };
    }

    public Schedule schedule() {
        return schedule;
    }

    @Override
    public Map<String, PtxEntry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    @Override
    public Kernel kernel(String name) {
        Long handle = handles.get(name);
        if (handle == null) {
            throw new IllegalStateException("emulated cuda: no kernel '" + name + "' in the modules " + PtxModules.ALL);
        }
        return new Kernel(entries.get(name), handle);
    }

    /**
     * A kernel of the emulator library that no PTX module declares (the emulator's own test kernels), with the
     * signature its C++ parameters give.
     */
    Kernel libraryKernel(String name) {
        long handle = CudaEmulator.kernel(name);
        if (handle == 0) {
            throw new IllegalStateException("emulated cuda: no kernel '" + name + "' in the library");
        }
        List<PtxEntry.Param> params = new ArrayList<>();
        String cpp = CudaEmulator.signature(handle).trim();
        for (String p : cpp.isEmpty() ? new String[0] : cpp.split(" ")) {
            int bytes = Integer.parseInt(p.substring(1));
            params.add(switch (p.charAt(0)) {
                case 'p' -> new PtxEntry.Param(PtxEntry.Kind.B64, 8);
                case 'i' -> new PtxEntry.Param(bytes == 8 ? PtxEntry.Kind.B64 : PtxEntry.Kind.B32, bytes);
                case 'f' -> {
                    if (bytes != 4) {
                        throw new IllegalStateException("kernel " + name + ": a double parameter has no PTX kind here");
                    }
                    yield new PtxEntry.Param(PtxEntry.Kind.F32, 4);
                }
                default -> new PtxEntry.Param(PtxEntry.Kind.STRUCT, bytes);
            });
        }
        return new Kernel(new PtxEntry("emulator", name, List.copyOf(params)), handle);
    }

    @Override
    public synchronized long allocate(long bytes) {
        long size = Math.max(1, bytes);
        if (liveBytes + size > capacity) {
            throw new DeviceOutOfMemoryException("emulated cuMemAlloc of " + bytes + " bytes: " + liveBytes + " of "
                    + capacity + " bytes in use", 2);
        }
        long address = CudaEmulator.allocate(size);
        if (address == 0) {
            throw new DeviceOutOfMemoryException("emulated cuMemAlloc of " + bytes + " bytes: no host memory left", 2);
        }
        live.put(address, size);
        liveBytes += size;
        return address;
    }

    @Override
    public synchronized void free(long address) {
        Long size = live.remove(address);
        if (size == null) {
            throw new IllegalStateException("emulated cuda: free of 0x" + Long.toHexString(address)
                    + ", which is no allocated block");
        }
        liveBytes -= size;
        CudaEmulator.release(address, size);
    }

    /** Whether [address, address + bytes) lies inside one live block. */
    synchronized boolean inside(long address, long bytes) {
        Map.Entry<Long, Long> e = live.floorEntry(address);
        return e != null && address + bytes <= e.getKey() + e.getValue();
    }

    private void checkRange(String what, long address, long bytes) {
        if (bytes > 0 && !inside(address, bytes)) {
            throw new IllegalStateException("emulated cuda: " + what + " of [0x" + Long.toHexString(address) + ", +"
                    + bytes + ") is outside every live allocation");
        }
    }

    @Override
    public synchronized void copyToDevice(float[] src, int srcOffset, long dst, int count) {
        checkRange("copyToDevice", dst, 4L * count);
        if (count > 0) {
            CudaEmulator.copyInFloats(src, srcOffset, dst, count);
        }
    }

    @Override
    public synchronized void copyToDevice(byte[] src, int srcOffset, long dst, int count) {
        checkRange("copyToDevice", dst, count);
        if (count > 0) {
            CudaEmulator.copyInBytes(src, srcOffset, dst, count);
        }
    }

    @Override
    public synchronized void copyToHost(long src, float[] dst, int dstOffset, int count) {
        checkRange("copyToHost", src, 4L * count);
        if (count > 0) {
            CudaEmulator.copyOutFloats(src, dst, dstOffset, count);
        }
    }

    @Override
    public synchronized void copyToHost(long src, byte[] dst, int dstOffset, int count) {
        checkRange("copyToHost", src, count);
        if (count > 0) {
            CudaEmulator.copyOutBytes(src, dst, dstOffset, count);
        }
    }

    @Override
    public synchronized void copyOnDevice(long src, long dst, long bytes) {
        checkRange("copyOnDevice source", src, bytes);
        checkRange("copyOnDevice destination", dst, bytes);
        if (bytes > 0) {
            CudaEmulator.copy(src, dst, bytes);
        }
    }

    @Override
    public synchronized void fill32(long dst, int value, long count) {
        checkRange("fill32", dst, 4 * count);
        if (count > 0) {
            CudaEmulator.fill32(dst, value, count);
        }
    }

    @Override
    public synchronized void fill8(long dst, byte value, long count) {
        checkRange("fill8", dst, count);
        if (count > 0) {
            CudaEmulator.fill8(dst, value, count);
        }
    }

    @Override
    public synchronized void launch(Kernel kernel, LaunchConfig config, KernelArgs args) {
        args.checkComplete();
        for (int i = 0; i < args.count(); i++) {
            long v = args.isPointer(i) ? args.longAt(i) : 0;
            if (v != 0 && !inside(v, 1)) {
                throw new IllegalStateException("emulated cuda: kernel " + kernel.name() + ", parameter " + i + ": pointer 0x"
                        + Long.toHexString(v) + " is outside every live allocation");
            }
        }
        if (config.isEmpty()) {
            return;
        }
        long[] slots = (long[]) args.nativeParams();
        if (slots == null) {
            slots = new long[args.count()];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = CudaEmulator.bufferAddress(args.slot(i));
            }
            args.nativeParams(slots);
        }
        String error = CudaEmulator.launch((Long) kernel.handle(), config.gridX(), config.gridY(), config.gridZ(),
                config.block(), slots, schedule.ordinal(), seed + launches++, workers);
        if (error != null) {
            throw new CudaException("emulated CUDA kernel " + kernel.name() + " (grid " + config.gridX() + "x"
                    + config.gridY() + "x" + config.gridZ() + ", block " + config.block() + ", schedule "
                    + schedule.label() + ") failed: " + error, 0);
        }
    }

    @Override
    public void synchronize() {
        // launches run to completion before they return
    }

    @Override
    public int multiprocessors() {
        return MULTIPROCESSORS;
    }

    @Override
    public int computeCapability() {
        return COMPUTE_CAPABILITY;
    }

    @Override
    public String description() {
        return "emulated CUDA device on the CPU (schedule " + schedule.label() + ", " + workers + " workers)";
    }

    @Override
    public VendorGemm vendorGemm() {
        return null;
    }

    @Override
    public VendorConv vendorConv() {
        return null;
    }
}
