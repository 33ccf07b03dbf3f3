package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.experiment.Specs;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code sweep:} section of a spec: the axes whose cartesian product is the family of runs, and where they run.
 *
 * <pre>
 * sweep:
 *   grid:                       # one axis per key: every combination
 *     model.timesteps: [4, 8, 16, 32]
 *   zip:                        # one axis: the lists advance together (same length)
 *     model.latent: [16, 32, 64]
 *     train.lr: [3.0e-3, 1.5e-3, 7.5e-4]
 *   seeds: [1, 2]               # an axis of run.seed
 *   variants:                   # an axis of named override sets
 *     rbf: {model.mmd.kernel: rbf}
 *     linear: {model.mmd.kernel: linear}
 *   executor: local             # local, gpus, slurm or kubernetes
 *   workers: 2                  # gpus executor on CPU cores
 *   gpus: [0, 1]                # gpus executor: which GPUs
 *   slurm: {partition: gpu, time: "12:00:00", account: lab, gpus_per_task: 1, cpus_per_task: 8, memory: 32G,
 *           parallel: 4, extra: ["--qos=normal"]}
 *   kubernetes: {image: registry/spikevae:0.1, namespace: ml, gpus_per_run: 1, parallelism: 4,
 *                data_claim: datasets, runs_claim: runs}
 * </pre>
 *
 * Override values are written as in a spec and read by the type of the key they land on. Every problem is a
 * {@link SweepException} naming the source, line and key.
 */
public record SweepDefinition(List<SweepAxis> axes, ExecutorSettings executor) {

    private static final Set<String> KEYS = Set.of("grid", "zip", "seeds", "variants", "executor", "workers", "gpus",
            "slurm", "kubernetes");

    public SweepDefinition {
        axes = List.copyOf(axes);
    }

    /**
     * Reads a spec's sweep section ({@code section} may be null: no section) and the command line's multirun
     * overrides: {@code key=a,b,c} adds a grid axis. {@code text} is the spec text, for line numbers.
     */
    public static SweepDefinition parse(ObjectNode section, List<String> multirun, String source, String text) {
        Reader r = new Reader(source, text);
        List<SweepAxis> axes = new ArrayList<>();
        ExecutorSettings executor = ExecutorSettings.LOCAL;
        if (section != null) {
            for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k)) {
                    throw r.error("sweep." + k, "unknown key; valid keys of sweep are grid, zip, seeds, variants, "
                            + "executor, workers, gpus, slurm, kubernetes");
                }
            }
            if (section.has("variants")) {
                axes.add(r.variants(section.get("variants")));
            }
            if (section.has("zip")) {
                axes.add(r.zip(section.get("zip")));
            }
            if (section.has("grid")) {
                axes.addAll(r.grid(section.get("grid"), "sweep.grid"));
            }
            if (section.has("seeds")) {
                axes.add(r.seeds(section.get("seeds")));
            }
            executor = r.executor(section);
        }
        for (String m : multirun) {
            int eq = m.indexOf('=');
            if (eq <= 0) {
                throw new SweepException("override \"" + m + "\": expected key=value or key=a,b,c");
            }
            String key = m.substring(0, eq).trim();
            List<SweepAxis.Point> points = new ArrayList<>();
            for (String v : m.substring(eq + 1).split(",", -1)) {
                if (v.isBlank()) {
                    throw new SweepException("override \"" + m + "\": an empty value in the list");
                }
                points.add(new SweepAxis.Point(v.trim(), Map.of(key, v.trim())));
            }
            axes.add(new SweepAxis(key, points));
        }
        Set<String> seen = new java.util.HashSet<>();
        for (SweepAxis a : axes) {
            for (String key : a.points().get(0).overrides().keySet()) {
                if (!seen.add(key)) {
                    throw new SweepException("sweep: " + key + " is varied by two axes; give it one");
                }
            }
        }
        return new SweepDefinition(axes, executor);
    }

    /** The number of runs: the product of the axis lengths (1 without axes). */
    public int size() {
        int n = 1;
        for (SweepAxis a : axes) {
            n *= a.points().size();
        }
        return n;
    }

    /** Reads the parts of a section, each error located in the spec text. */
    private static final class Reader {
        private final String source;
        private final String text;

        Reader(String source, String text) {
            this.source = source;
            this.text = text;
        }

        SweepException error(String key, String message) {
            int line = text == null ? 0 : Specs.lineOf(text, key.split("\\.")[0] + (key.contains(".") ? "." + key.split("\\.")[1] : ""));
            return new SweepException((source == null ? "spec" : source) + (line > 0 ? ":" + line : "") + ": " + key + ": "
                    + message);
        }

        List<SweepAxis> grid(JsonNode grid, String where) {
            if (!grid.isObject() || grid.isEmpty()) {
                throw error(where, "expected a mapping of dotted keys to lists of values, e.g. {model.timesteps: [4, 8]}");
            }
            List<SweepAxis> out = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = grid.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<String> values = values(e.getValue(), where + "." + e.getKey());
                List<SweepAxis.Point> points = new ArrayList<>();
                for (String v : values) {
                    points.add(new SweepAxis.Point(v, Map.of(e.getKey(), v)));
                }
                out.add(new SweepAxis(e.getKey(), points));
            }
            return out;
        }

        SweepAxis zip(JsonNode zip) {
            List<SweepAxis> lists = grid(zip, "sweep.zip");
            int n = lists.get(0).points().size();
            for (SweepAxis a : lists) {
                if (a.points().size() != n) {
                    throw error("sweep.zip." + a.name(), "has " + a.points().size() + " values but "
                            + lists.get(0).name() + " has " + n + "; zipped lists advance together and must be as long");
                }
            }
            List<SweepAxis.Point> points = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Map<String, String> o = new LinkedHashMap<>();
                List<String> labels = new ArrayList<>();
                for (SweepAxis a : lists) {
                    o.putAll(a.points().get(i).overrides());
                    labels.add(a.points().get(i).label());
                }
                points.add(new SweepAxis.Point(String.join(",", labels), o));
            }
            List<String> names = lists.stream().map(SweepAxis::name).toList();
            return new SweepAxis("zip(" + String.join(", ", names) + ")", points);
        }

        SweepAxis seeds(JsonNode seeds) {
            List<String> values = values(seeds, "sweep.seeds");
            List<SweepAxis.Point> points = new ArrayList<>();
            for (String v : values) {
                try {
                    Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw error("sweep.seeds", "expected integers, got \"" + v + "\"");
                }
                points.add(new SweepAxis.Point(v, Map.of("run.seed", v)));
            }
            return new SweepAxis("run.seed", points);
        }

        SweepAxis variants(JsonNode variants) {
            if (!variants.isObject() || variants.isEmpty()) {
                throw error("sweep.variants", "expected a mapping of variant names to override sets, e.g. "
                        + "{rbf: {model.mmd.kernel: rbf}, linear: {model.mmd.kernel: linear}}");
            }
            List<SweepAxis.Point> points = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = variants.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                    throw error("sweep.variants", "variant name \"" + e.getKey() + "\" must be letters, digits, '.', '_' or '-'");
                }
                if (!e.getValue().isObject()) {
                    throw error("sweep.variants." + e.getKey(), "expected a mapping of dotted keys to values");
                }
                Map<String, String> o = new LinkedHashMap<>();
                flatten("", e.getValue(), o, "sweep.variants." + e.getKey());
                points.add(new SweepAxis.Point(e.getKey(), o));
            }
            return new SweepAxis("variant", points);
        }

        private void flatten(String prefix, JsonNode node, Map<String, String> out, String where) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (e.getValue().isObject()) {
                    flatten(key, e.getValue(), out, where);
                } else if (e.getValue().isValueNode()) {
                    out.put(key, text(e.getValue()));
                } else {
                    throw error(where, key + ": expected a single value, got " + e.getValue());
                }
            }
        }

        private List<String> values(JsonNode list, String where) {
            if (!list.isArray()) {
                throw error(where, "expected a list of values, e.g. [1, 2, 3], got " + list);
            }
            if (list.isEmpty()) {
                throw error(where, "the list is empty: an axis needs at least one value");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode v : list) {
                if (!v.isValueNode()) {
                    throw error(where, "expected single values, got " + v);
                }
                out.add(text(v));
            }
            return out;
        }

        private static String text(JsonNode v) {
            return v.isNull() ? "null" : v.isTextual() ? quoteIfNeeded(v.textValue()) : v.asText();
        }

        /** Text that an override would read as another type ("null", "7") is quoted to stay a string. */
        private static String quoteIfNeeded(String s) {
            return s.equals("null") ? "'null'" : s;
        }

        ExecutorSettings executor(ObjectNode s) {
            ExecutorSettings e = ExecutorSettings.LOCAL;
            if (s.has("executor")) {
                String kind = s.get("executor").asText();
                if (!s.get("executor").isTextual() || !ExecutorSettings.KINDS.contains(kind)) {
                    throw error("sweep.executor", "unknown value " + s.get("executor") + "; expected one of "
                            + String.join(", ", ExecutorSettings.KINDS));
                }
                e = e.withKind(kind);
            }
            if (s.has("workers")) {
                if (!s.get("workers").canConvertToInt() || s.get("workers").asInt() < 0) {
                    throw error("sweep.workers", "expected an integer >= 0, got " + s.get("workers"));
                }
                e = e.withWorkers(s.get("workers").asInt());
            }
            if (s.has("gpus")) {
                List<Integer> ids = new ArrayList<>();
                for (String v : values(s.get("gpus"), "sweep.gpus")) {
                    try {
                        ids.add(Integer.parseInt(v));
                    } catch (NumberFormatException x) {
                        throw error("sweep.gpus", "expected GPU indices, got \"" + v + "\"");
                    }
                }
                e = e.withGpus(ids);
            }
            if (s.has("slurm")) {
                e = e.withSlurm(slurm(s.get("slurm")));
            }
            if (s.has("kubernetes")) {
                e = e.withKubernetes(kubernetes(s.get("kubernetes")));
            }
            return e;
        }

        private ExecutorSettings.Slurm slurm(JsonNode n) {
            Set<String> keys = Set.of("partition", "time", "account", "gpus_per_task", "cpus_per_task", "memory",
                    "parallel", "extra");
            checkKeys(n, "sweep.slurm", keys);
            List<String> extra = n.has("extra") ? values(n.get("extra"), "sweep.slurm.extra") : List.of();
            return new ExecutorSettings.Slurm(str(n, "partition"), str(n, "time"), str(n, "account"),
                    count(n, "gpus_per_task", "sweep.slurm"), count(n, "cpus_per_task", "sweep.slurm"), str(n, "memory"),
                    count(n, "parallel", "sweep.slurm"), extra);
        }

        private ExecutorSettings.Kubernetes kubernetes(JsonNode n) {
            Set<String> keys = Set.of("image", "namespace", "gpus_per_run", "parallelism", "data_claim", "runs_claim");
            checkKeys(n, "sweep.kubernetes", keys);
            ExecutorSettings.Kubernetes d = ExecutorSettings.Kubernetes.DEFAULT;
            return new ExecutorSettings.Kubernetes(n.has("image") ? str(n, "image") : d.image(), str(n, "namespace"),
                    n.has("gpus_per_run") ? count(n, "gpus_per_run", "sweep.kubernetes") : d.gpusPerRun(),
                    count(n, "parallelism", "sweep.kubernetes"),
                    n.has("data_claim") ? str(n, "data_claim") : d.dataClaim(),
                    n.has("runs_claim") ? str(n, "runs_claim") : d.runsClaim());
        }

        private void checkKeys(JsonNode n, String where, Set<String> keys) {
            if (!n.isObject()) {
                throw error(where, "expected a mapping of " + String.join(", ", new java.util.TreeSet<>(keys)));
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!keys.contains(k)) {
                    throw error(where + "." + k, "unknown key; valid keys are " + String.join(", ", new java.util.TreeSet<>(keys)));
                }
            }
        }

        private static String str(JsonNode n, String key) {
            JsonNode v = n.get(key);
            return v == null || v.isNull() ? null : v.asText();
        }

        private int count(JsonNode n, String key, String where) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                return 0;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
                throw error(where + "." + key, "expected an integer >= 0, got " + v);
            }
            return v.asInt();
        }
    }
}
