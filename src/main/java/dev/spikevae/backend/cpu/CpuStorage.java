package dev.spikevae.backend.cpu;

import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Storage;

/**
 * Heap memory of the CPU backend: a float array (f32) or a byte array (u8), returned to the pool on release.
 *
 * <p>A tensor's data starts {@link #FLOAT_ORIGIN} floats ({@link #BYTE_ORIGIN} bytes) into its array, where the array's
 * header leaves it on a 64-byte line whenever the array itself starts on one. G1 puts every array of half a region or
 * more (at least 512 KiB at the launcher's heap) at the start of a region of its own and never moves it, so the large
 * tensors, the ones read from memory, start on a line: a 64-byte vector load then reads one line, not parts of two.
 * Read from memory by one thread, such loads ran at 46.7 GB/s against 33.9 at the array's first element
 * (docs/benchmarks.md, "Tensors on cache lines"). Smaller arrays may start anywhere and move; for them the origin
 * neither helps nor hurts.
 */
final class CpuStorage extends Storage {
    /** Bytes from an array's start to its first element (16 on 64-bit HotSpot with compressed class pointers). */
    static final int FLOAT_BASE = arrayBase("ARRAY_FLOAT_BASE_OFFSET");
    static final int BYTE_BASE = arrayBase("ARRAY_BYTE_BASE_OFFSET");
    static final int LINE = 64;
    /** Whether tensors start on a line ({@code spikevae.cpu.lineOrigin}, default true). */
    private static final boolean LINE_ORIGIN = Boolean.parseBoolean(System.getProperty("spikevae.cpu.lineOrigin",
            "true"));
    /** The float at which a tensor's data starts in its array. */
    static final int FLOAT_ORIGIN = LINE_ORIGIN ? (LINE - FLOAT_BASE % LINE) % LINE / Float.BYTES : 0;
    /** The byte at which a u8 tensor's data starts in its array. */
    static final int BYTE_ORIGIN = LINE_ORIGIN ? (LINE - BYTE_BASE % LINE) % LINE : 0;

    /**
     * Floats in an array that G1 puts at the start of a region of its own: half a region (the JVM's {@code
     * G1HeapRegionSize}); 0 where that cannot be read, another collector runs, or half a region is more than 4 MiB
     * (heaps of 16 GB and more, where a thread's scratch that large would be waste: it may then start anywhere).
     */
    private static final int REGION_ARRAY_FLOATS = halfRegionFloats();

    final float[] floats;
    final byte[] bytes;
    private final CpuPool pool;

    private CpuStorage(float[] floats, byte[] bytes, CpuPool pool) {
        super(floats != null ? floats.length : bytes.length, floats != null ? DType.F32 : DType.U8);
        this.floats = floats;
        this.bytes = bytes;
        this.pool = pool;
    }

    /** Storage on {@code data}, whose first {@link #FLOAT_ORIGIN} floats lie before a tensor's data. */
    static CpuStorage of(float[] data, CpuPool pool) {
        return new CpuStorage(data, null, pool);
    }

    /** Storage on {@code data}, whose first {@link #BYTE_ORIGIN} bytes lie before a tensor's data. */
    static CpuStorage of(byte[] data, CpuPool pool) {
        return new CpuStorage(null, data, pool);
    }

    @Override
    public int origin() {
        return floats != null ? FLOAT_ORIGIN : BYTE_ORIGIN;
    }

    @Override
    protected void free() {
        if (floats != null) {
            pool.recycle(floats);
        } else {
            pool.recycle(bytes);
        }
    }

    /**
     * A scratch array whose float {@link #FLOAT_ORIGIN} starts a 64-byte line, as a large tensor's data does, with at
     * least {@code n} floats from there: under G1 at least half a region long, so that it starts a region. Under
     * another collector it may start anywhere, which makes vector loads from it straddle lines (slower, never wrong).
     */
    static float[] lineArray(int n) {
        return new float[Math.max(FLOAT_ORIGIN + n, REGION_ARRAY_FLOATS)];
    }

    private static int halfRegionFloats() {
        try {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
            long half = region / 2;
            return half <= 4L << 20 ? (int) (half / Float.BYTES) : 0;
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    /** The JVM's offset of an array's first element (a {@code sun.misc.Unsafe} constant), or 16 if unreadable. */
    private static int arrayBase(String constant) {
        try {
            return Class.forName("sun.misc.Unsafe").getField(constant).getInt(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 16;
        }
    }
}
