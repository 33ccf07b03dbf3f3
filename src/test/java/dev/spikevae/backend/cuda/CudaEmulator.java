package dev.spikevae.backend.cuda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The native half of {@link EmulatedDevice}: the library that src/test/native/cuda-emu/build.sh builds (Maven runs
 * it in process-test-classes) holding every kernel of src/main/cuda compiled as C++, the fiber scheduler and the
 * emulated device memory. Loaded once; where it is missing, {@link #unavailableReason()} says why.
 */
final class CudaEmulator {
    /** Overrides where the library is (default: target/cuda-emu/ under the working directory). */
    static final String LIBRARY_PROPERTY = "spikevae.cudaEmu.library";
    static final String LIBRARY_FILE = "libspikevae-cuda-emu.so";

    private static boolean attempted;
    private static String unavailable;

    private CudaEmulator() {
    }

    static Path libraryPath() {
        String p = System.getProperty(LIBRARY_PROPERTY);
        return (p != null && !p.isBlank() ? Path.of(p) : Path.of("target", "cuda-emu", LIBRARY_FILE)).toAbsolutePath();
    }

    /** Null when the library is loaded; otherwise why it is not (built without g++, missing, failed to load). */
    static synchronized String unavailableReason() {
        if (!attempted) {
            attempted = true;
            unavailable = load(libraryPath());
        }
        return unavailable;
    }

    private static String load(Path lib) {
        if (!Files.isRegularFile(lib)) {
            Path note = lib.resolveSibling("unavailable.txt");
            try {
                if (Files.isRegularFile(note)) {
                    return "the CUDA emulator was not built: " + Files.readString(note, StandardCharsets.UTF_8).trim();
                }
            } catch (IOException e) {
                // fall through to the plain reason
            }
            return "the CUDA emulator library " + lib + " is missing (mvn process-test-classes builds it with g++)";
        }
        try {
            System.load(lib.toString());
            return null;
        } catch (UnsatisfiedLinkError e) {
            return "the CUDA emulator library " + lib + " did not load: " + e.getMessage();
        }
    }

    static native String[] kernelNames();

    /** 1 + the kernel's index in the library, or 0 when there is no kernel of that name. */
    static native long kernel(String name);

    /** The C++ parameter list of a kernel as "kind bytes" pairs: p (pointer), i (integer), f (float), s (struct). */
    static native String signature(long kernel);

    /** {@code bytes} of memory filled with 0xFF (NaN as floats and doubles) between guard pages; 0 when none is left. */
    static native long allocate(long bytes);

    static native void release(long address, long bytes);

    static native void copyInFloats(float[] src, int offset, long dst, int count);

    static native void copyInBytes(byte[] src, int offset, long dst, int count);

    static native void copyOutFloats(long src, float[] dst, int offset, int count);

    static native void copyOutBytes(long src, byte[] dst, int offset, int count);

    static native void copy(long src, long dst, long bytes);

    static native void fill32(long dst, int value, long count);

    static native void fill8(long dst, byte value, long count);

    static native long bufferAddress(ByteBuffer directBuffer);

    /**
     * Runs every block of a (gridX, gridY, gridZ) grid of {@code block}-thread blocks; {@code params[i]} is the
     * address of argument i's value. Returns null, or what went wrong (a deadlock, a misused collective, a trap).
     */
    static native String launch(long kernel, int gridX, int gridY, int gridZ, int block, long[] params, int schedule,
                                long seed, int workers);
}
