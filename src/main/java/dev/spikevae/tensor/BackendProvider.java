package dev.spikevae.tensor;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;

/**
 * A kind of backend found at start-up through {@link java.util.ServiceLoader} (DJL-style engine discovery): the
 * CPU backend always, the CUDA backend when its classes are on the class path. Each implementation carries
 * {@link Kind}, so {@link Backends} can pick a kind without creating the providers of the others: asking for
 * {@code cpu} never loads the CUDA libraries.
 */
public interface BackendProvider {

    /** The kind a provider class serves, and its preference for {@code auto} (higher wins among available ones). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface Kind {
        String value();

        int priority();
    }

    /** {@code cpu} or {@code cuda}. */
    default String kind() {
        return getClass().getAnnotation(Kind.class).value();
    }

    /** Whether this backend can run here with these options; the reason is shown by {@code doctor} and by {@code auto}. */
    Availability probe(BackendOptions options);

    /** Creates the backend; only called after a successful probe. */
    Backend create(BackendOptions options);

    /** Detail lines {@code doctor} prints under this kind (driver, device, libraries...). */
    default List<String> details(BackendOptions options) {
        return List.of();
    }

    /** What a run's {@code env.json} records about this kind (e.g. whether the CPU kernels are vectorised). */
    default Map<String, Object> environment() {
        return Map.of();
    }

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
