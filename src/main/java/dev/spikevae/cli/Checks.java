package dev.spikevae.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks of command-line values made before any work starts (before a model loads or a file is read), so a bad
 * value is one line naming the option, never an internal error from deep inside.
 */
final class Checks {
    private static final Set<String> DEVICES = Set.of("auto", "cpu", "cuda");

    private Checks() {
    }

    /** {@code value} must be at least {@code min}; null (not given) passes. */
    static void atLeast(String option, Number value, long min) {
        if (value != null && value.longValue() < min) {
            throw new IllegalArgumentException(option + " must be " + (min == 1 ? "a positive integer" : min == 0
                    ? "0 or more" : "at least " + min) + ", got " + value);
        }
    }

    /** {@code value} must be a finite number of at least {@code min}; null passes. */
    static void atLeast(String option, Double value, double min) {
        if (value != null && !(value >= min && Double.isFinite(value))) {
            throw new IllegalArgumentException(option + " must be a number of at least " + min + ", got " + value);
        }
    }

    /** A file the command writes as PNG must be named so: {@code x.jpg} would hold PNG bytes under a JPEG name. */
    static void png(String option, java.nio.file.Path file) {
        if (file != null && !file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException(option + " " + file + ": the grid is written as PNG; give a name ending in .png");
        }
    }

    /** {@code value} must lie in [0, 1]. */
    static void probability(String option, Double value) {
        if (value != null && !(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(option + " must lie in [0, 1], got " + value);
        }
    }

    /**
     * The device a command uses: the {@code --device} flag, else {@code SPIKEVAE_DEVICE}, else null (the spec's
     * {@code run.device}, or auto). Either must name auto, cpu or cuda.
     */
    static String device(String flag, Map<String, String> env) {
        if (flag != null) {
            String d = flag.trim().toLowerCase(Locale.ROOT);
            if (!DEVICES.contains(d)) {
                throw new IllegalArgumentException("--device '" + flag + "': expected auto, cpu or cuda");
            }
            return d;
        }
        String e = env.get("SPIKEVAE_DEVICE");
        if (e == null || e.isBlank()) {
            return null;
        }
        String d = e.trim().toLowerCase(Locale.ROOT);
        if (!DEVICES.contains(d)) {
            throw new IllegalArgumentException("SPIKEVAE_DEVICE='" + e + "': expected auto, cpu or cuda");
        }
        return d;
    }

    /** {@link #device(String, Map)} with this process's environment. */
    static String device(String flag) {
        return device(flag, System.getenv());
    }
}
