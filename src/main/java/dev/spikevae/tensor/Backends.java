package dev.spikevae.tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Chooses the backend a run uses: {@code select("auto" | "cpu" | "cuda", options)} (the {@code --device} flag;
 * {@code SPIKEVAE_DEVICE} when no flag is given). Only the kinds asked for are created and probed: {@code cpu}
 * touches no other provider; {@code auto} probes in order of preference and reports why it passed over any. One
 * backend is created per (kind, options) and shared.
 */
public final class Backends {
    private static final Registry REGISTRY = Registry.fromServiceLoader();
    private static volatile String lastAutoNote;

    private Backends() {
    }

    /** A provider class found on the class path, created on first use. */
    public record Candidate(String kind, int priority, Supplier<BackendProvider> provider) {
    }

    /** A provider with its probe outcome. */
    public record Probe(BackendProvider provider, BackendProvider.Availability availability) {
        public String kind() {
            return provider.kind();
        }
    }

    /** Providers by kind, each created at most once, and the backends made from them. */
    public static final class Registry {
        private final List<Candidate> candidates;
        private final Map<String, BackendProvider> providers = new ConcurrentHashMap<>();
        private final Map<String, Backend> created = new ConcurrentHashMap<>();
        private volatile String lastAutoNote;

        /** Candidates in any order; they are tried by descending priority. */
        public Registry(List<Candidate> candidates) {
            List<Candidate> sorted = new ArrayList<>(candidates);
            sorted.sort(Comparator.comparingInt((Candidate c) -> -c.priority()));
            this.candidates = List.copyOf(sorted);
        }

        static Registry fromServiceLoader() {
            List<Candidate> out = new ArrayList<>();
            ServiceLoader.load(BackendProvider.class).stream().forEach(p -> {
                BackendProvider.Kind k = p.type().getAnnotation(BackendProvider.Kind.class);
                if (k == null) {
                    throw new IllegalStateException(p.type().getName() + " has no @BackendProvider.Kind");
                }
                out.add(new Candidate(k.value(), k.priority(), p::get));
            });
            return new Registry(out);
        }

        /** The kinds on the class path, preferred first. */
        public List<String> kinds() {
            return candidates.stream().map(Candidate::kind).toList();
        }

        private BackendProvider provider(Candidate c) {
            return providers.computeIfAbsent(c.kind(), k -> c.provider().get());
        }

        private static BackendProvider.Availability probe(BackendProvider p, BackendOptions options) {
            try {
                return p.probe(options);
            } catch (RuntimeException | LinkageError e) {
                return BackendProvider.Availability.no("probe failed: " + e);
            }
        }

        /** Every kind with its probe result, preferred first (this creates and probes every provider). */
        public List<Probe> probeAll(BackendOptions options) {
            List<Probe> out = new ArrayList<>();
            for (Candidate c : candidates) {
                BackendProvider p = provider(c);
                out.add(new Probe(p, probe(p, options)));
            }
            return out;
        }

        /** The backend for {@code device}: {@code auto}, {@code cpu} or {@code cuda}. */
        public Backend select(String device, BackendOptions options) {
            String d = (device == null ? defaultDevice() : device).trim().toLowerCase(Locale.ROOT);
            if (d.equals("auto")) {
                StringBuilder refused = new StringBuilder();
                for (Candidate c : candidates) {
                    BackendProvider p = provider(c);
                    BackendProvider.Availability a = probe(p, options);
                    if (a.available()) {
                        lastAutoNote = refused.length() == 0 ? null : "device auto: using " + c.kind() + refused;
                        return create(p, options);
                    }
                    refused.append("; ").append(c.kind()).append(" unavailable: ").append(a.detail());
                }
                throw new IllegalStateException("device auto: no backend available" + refused);
            }
            for (Candidate c : candidates) {
                if (c.kind().equals(d)) {
                    BackendProvider p = provider(c);
                    BackendProvider.Availability a = probe(p, options);
                    if (!a.available()) {
                        throw new IllegalStateException("device " + d + " is unavailable: " + a.detail());
                    }
                    return create(p, options);
                }
            }
            if (d.equals("cuda")) {
                throw new IllegalStateException("device cuda is unavailable: this build has no CUDA backend (backends found: "
                        + String.join(", ", kinds()) + "); use --device cpu or auto");
            }
            throw new IllegalArgumentException("unknown device '" + d + "': expected auto, cpu or cuda");
        }

        /** {@link BackendProvider#environment()} of the provider of {@code kind}, or nothing for an unknown kind. */
        public Map<String, Object> environment(String kind) {
            for (Candidate c : candidates) {
                if (c.kind().equals(kind)) {
                    return provider(c).environment();
                }
            }
            return Map.of();
        }

        /** Whether a provider of that kind has been created (for tests of what a selection touches). */
        public boolean created(String kind) {
            return providers.containsKey(kind);
        }

        public String lastAutoNote() {
            return lastAutoNote;
        }

        private Backend create(BackendProvider p, BackendOptions options) {
            return created.computeIfAbsent(p.kind() + " " + options, k -> p.create(options));
        }
    }

    /** The device named by {@code SPIKEVAE_DEVICE}, or {@code auto}. */
    public static String defaultDevice() {
        String env = System.getenv("SPIKEVAE_DEVICE");
        return env == null || env.isBlank() ? "auto" : env.trim();
    }

    /** The backend for {@code device} with these options (see the class comment). */
    public static Backend select(String device, BackendOptions options) {
        Backend b = REGISTRY.select(device, options);
        lastAutoNote = REGISTRY.lastAutoNote();
        return b;
    }

    /** The backend for {@code device} with the default options. */
    public static Backend select(String device) {
        return select(device, BackendOptions.defaults());
    }

    /** Every backend kind on the class path with its probe result, preferred first. */
    public static List<Probe> probeAll(BackendOptions options) {
        return REGISTRY.probeAll(options);
    }

    /** What the provider of {@code backend}'s kind records about it in a run's {@code env.json}. */
    public static Map<String, Object> environment(Backend backend) {
        return REGISTRY.environment(backend.kind());
    }

    /** The CPU backend with the default options. */
    public static Backend cpu() {
        return select("cpu");
    }

    /** Why {@code auto} passed over a preferred backend in the last selection, or null. */
    public static String lastAutoNote() {
        return lastAutoNote;
    }
}
