package dev.spikevae.tensor;

/**
 * A kind of backend found at start-up through {@link java.util.ServiceLoader} (DJL-style engine
 * discovery): the CPU backend always, the CUDA backend when its module is on the class path.
 */
public interface BackendProvider {
    /** {@code cpu} or {@code cuda}. */
    String kind();

    /** Order of preference for {@code auto}: higher wins among available backends. */
    int priority();

    /** Whether this backend can run here; the reason is shown by {@code doctor} and by {@code auto}. */
    Availability probe();

    /** Creates the backend; only called after a successful probe. */
    Backend create();

    /** The outcome of a probe. */
    record Availability(boolean available, String detail) {
        public static Availability yes(String detail) {
            return new Availability(true, detail);
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}
