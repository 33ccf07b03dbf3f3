package dev.spikevae.tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the backend a run uses, once: {@code select("auto" | "cpu" | "cuda")} (the {@code --device}
 * flag; {@code SPIKEVAE_DEVICE} when no flag is given). {@code auto} takes the preferred available
 * backend and reports why others were refused. Backends are created once per kind and shared.
 */
public final class Backends {
    private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();
    private static volatile String lastAutoNote;

    private Backends() {
    }

    /** Every backend kind on the class path with its probe result, preferred first. */
    public static List<Probe> probeAll() {
        List<Probe> out = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            BackendProvider.Availability a;
            try {
                a = p.probe();
            } catch (RuntimeException | LinkageError e) {
                a = BackendProvider.Availability.no("probe failed: " + e);
            }
            out.add(new Probe(p, a));
        }
        out.sort(Comparator.comparingInt((Probe pr) -> -pr.provider().priority()));
        return out;
    }

    /** A provider with its probe outcome. */
    public record Probe(BackendProvider provider, BackendProvider.Availability availability) {
        public String kind() {
            return provider.kind();
        }
    }

    /** The device named by {@code SPIKEVAE_DEVICE}, or {@code auto}. */
    public static String defaultDevice() {
        String env = System.getenv("SPIKEVAE_DEVICE");
        return env == null || env.isBlank() ? "auto" : env.trim();
    }

    /** The backend for {@code device}: {@code auto}, {@code cpu} or {@code cuda}. */
    public static Backend select(String device) {
        String d = (device == null ? defaultDevice() : device).trim().toLowerCase(Locale.ROOT);
        List<Probe> probes = probeAll();
        if (d.equals("auto")) {
            StringBuilder refused = new StringBuilder();
            for (Probe p : probes) {
                if (p.availability().available()) {
                    lastAutoNote = refused.length() == 0 ? null : "device auto: using " + p.kind() + refused;
                    return create(p.provider());
                }
                refused.append("; ").append(p.kind()).append(" unavailable: ").append(p.availability().detail());
            }
            throw new IllegalStateException("device auto: no backend available" + refused);
        }
        List<String> kinds = new ArrayList<>();
        for (Probe p : probes) {
            kinds.add(p.kind());
            if (p.kind().equals(d)) {
                if (!p.availability().available()) {
                    throw new IllegalStateException("device " + d + " is unavailable: " + p.availability().detail());
                }
                return create(p.provider());
            }
        }
        if (d.equals("cuda")) {
            throw new IllegalStateException("device cuda is unavailable: this build has no CUDA backend (backends found: "
                    + String.join(", ", kinds) + "); use --device cpu or auto");
        }
        throw new IllegalArgumentException("unknown device '" + device + "': expected auto, cpu or cuda");
    }

    /** The CPU backend with the default thread count. */
    public static Backend cpu() {
        return select("cpu");
    }

    /** Why {@code auto} passed over a preferred backend in the last selection, or null. */
    public static String lastAutoNote() {
        return lastAutoNote;
    }

    private static Backend create(BackendProvider p) {
        return CREATED.computeIfAbsent(p.kind(), k -> p.create());
    }
}
