package dev.spikevae.backend.cpu;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) is usable in this JVM. It is an incubator module
 * that must be added with {@code --add-modules jdk.incubator.vector} (the {@code ./spikevae} launcher
 * and the Maven build do); without it the CPU backend runs its scalar kernels and says so once.
 * {@code -Dspikevae.vector=false} forces the scalar kernels (for comparisons).
 */
public final class VectorSupport {
    private static final boolean AVAILABLE = probe();
    private static volatile boolean warned;

    private VectorSupport() {
    }

    private static boolean probe() {
        if (!Boolean.parseBoolean(System.getProperty("spikevae.vector", "true"))) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            Class.forName("jdk.incubator.vector.FloatVector");
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static boolean available() {
        return AVAILABLE;
    }

    /** Why the scalar kernels are in use, or null when the vector kernels are. */
    public static String reason() {
        if (AVAILABLE) {
            return null;
        }
        if (!Boolean.parseBoolean(System.getProperty("spikevae.vector", "true"))) {
            return "disabled by -Dspikevae.vector=false";
        }
        return "module jdk.incubator.vector is not loaded (start the JVM with --add-modules jdk.incubator.vector; "
                + "the ./spikevae launcher does)";
    }

    /** Vector width in floats of the preferred species, or 1 when unavailable. */
    public static int floatLanes() {
        return AVAILABLE ? VectorLanes.floats() : 1;
    }

    /** Prints the fallback notice once per JVM. */
    static void warnOnceIfScalar() {
        if (!AVAILABLE && !warned) {
            warned = true;
            System.err.println("spikevae: Vector API unavailable, CPU backend uses scalar kernels: " + reason());
        }
    }
}
