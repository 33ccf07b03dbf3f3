package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.SpecException;
import dev.spikevae.experiment.Specs;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.train.Checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The folder of a sweep:
 * <pre>
 * sweep.json, sweep.csv   the index: every run with its overrides, state and final figures
 * runs.txt                run names, one per line; line i is array task i (Slurm, Kubernetes)
 * specs/NAME.yaml         each run's resolved spec
 * runs/NAME/              each run's run folder (config.yaml, metrics, checkpoints/, samples/, summary.json)
 * logs/NAME.log           the output of runs started as processes
 * </pre>
 * A run's state is read from its run folder, so the index can always be rebuilt from the folder (after a kill, on
 * another machine, while a cluster works on it). Starting a sweep again in the same folder keeps what is there:
 * finished runs are skipped, interrupted ones resume.
 */
public final class SweepFolder {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    private SweepFolder(Path root) {
        this.root = root;
    }

    /**
     * The folder for {@code plan}: created, or — when it already holds this sweep — reused. A folder holding other
     * runs (another spec, or the same names with other settings) is refused, naming the first difference.
     */
    public static SweepFolder prepare(Path root, SweepPlan plan) throws IOException {
        SweepFolder f = new SweepFolder(root);
        if (Files.exists(f.runsList())) {
            List<String> names = Files.readAllLines(f.runsList(), StandardCharsets.UTF_8);
            List<String> planned = plan.runs().stream().map(SweepPlan.Run::name).toList();
            if (!names.equals(planned)) {
                throw new SweepException(root + " holds another sweep (runs " + preview(names) + "; this spec plans "
                        + preview(planned) + "); give another --sweep-dir or remove it");
            }
            for (SweepPlan.Run r : plan.runs()) {
                String stored = Files.readString(f.specFile(r.name()), StandardCharsets.UTF_8);
                if (!stored.equals(Specs.toYaml(r.spec()))) {
                    throw new SweepException(root + ": run " + r.name() + " was planned with other settings ("
                            + f.specFile(r.name()) + "); give another --sweep-dir or remove it");
                }
            }
            return f;
        }
        Files.createDirectories(root.resolve("specs"));
        Files.createDirectories(root.resolve("runs"));
        Files.createDirectories(root.resolve("logs"));
        for (SweepPlan.Run r : plan.runs()) {
            AtomicFiles.writeString(f.specFile(r.name()), Specs.toYaml(r.spec()));
        }
        AtomicFiles.writeString(f.planFile(), JSON.writeValueAsString(planTree(plan)) + "\n");
        AtomicFiles.writeString(f.runsList(), String.join("\n", planned(plan)) + "\n");
        return f;
    }

    /** The axes and runs of a plan, as {@code plan.json} keeps them for status, resubmit and array tasks. */
    private static ObjectNode planTree(SweepPlan plan) {
        ObjectNode p = JSON.createObjectNode();
        p.put("name", plan.base().name());
        ArrayNode axes = p.putArray("axes");
        for (SweepAxis a : plan.definition().axes()) {
            ObjectNode ax = axes.addObject();
            ax.put("name", a.name());
            ArrayNode pts = ax.putArray("points");
            for (SweepAxis.Point pt : a.points()) {
                ObjectNode o = pts.addObject();
                o.put("label", pt.label());
                o.set("overrides", JSON.valueToTree(pt.overrides()));
            }
        }
        return p;
    }

    /** The plan stored in this folder: its axes, and each run with its stored spec. */
    public SweepPlan plan() {
        try {
            JsonNode p = JSON.readTree(planFile().toFile());
            List<SweepAxis> axes = new ArrayList<>();
            for (JsonNode ax : p.path("axes")) {
                List<SweepAxis.Point> pts = new ArrayList<>();
                for (JsonNode pt : ax.path("points")) {
                    Map<String, String> o = new LinkedHashMap<>();
                    pt.path("overrides").fields().forEachRemaining(e -> o.put(e.getKey(), e.getValue().asText()));
                    pts.add(new SweepAxis.Point(pt.path("label").asText(), o));
                }
                axes.add(new SweepAxis(ax.path("name").asText(), pts));
            }
            List<String> names = runNames();
            List<Map<String, String>> combos = SweepPlan.combinations(axes);
            List<SweepPlan.Run> runs = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                runs.add(new SweepPlan.Run(i, names.get(i), i < combos.size() ? combos.get(i) : Map.of(), spec(names.get(i))));
            }
            return SweepPlan.of(runs.get(0).spec(), new SweepDefinition(axes, ExecutorSettings.LOCAL), runs);
        } catch (IOException e) {
            throw new SweepException(planFile() + ": unreadable sweep plan (" + e.getMessage() + ")", e);
        }
    }

    public Path planFile() {
        return root.resolve("plan.json");
    }

    private static List<String> planned(SweepPlan plan) {
        return plan.runs().stream().map(SweepPlan.Run::name).toList();
    }

    private static String preview(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(3, names.size()))) + (names.size() > 3 ? ", ..." : "");
    }

    /** An existing sweep folder (for status, resubmit and the array tasks). */
    public static SweepFolder open(Path root) {
        SweepFolder f = new SweepFolder(root);
        if (!Files.isRegularFile(f.runsList())) {
            throw new SweepException(root + " is not a sweep folder (no runs.txt)");
        }
        return f;
    }

    public Path root() {
        return root;
    }

    public Path runsList() {
        return root.resolve("runs.txt");
    }

    public Path index() {
        return root.resolve("sweep.json");
    }

    public Path table() {
        return root.resolve("sweep.csv");
    }

    public Path specFile(String run) {
        return root.resolve("specs").resolve(run + ".yaml");
    }

    public Path runDir(String run) {
        return root.resolve("runs").resolve(run);
    }

    /** Why a run failed before its run folder existed (written by {@link SweepRunner}). */
    public Path errorFile(String run) {
        return root.resolve("errors").resolve(run + ".txt");
    }

    public Path log(String run) {
        return root.resolve("logs").resolve(run + ".log");
    }

    /** Run names in array-task order. */
    public List<String> runNames() {
        try {
            List<String> out = new ArrayList<>();
            for (String l : Files.readAllLines(runsList(), StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    out.add(l.trim());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(runsList() + ": " + e.getMessage(), e);
        }
    }

    /** The name of array task {@code index}. */
    public String runName(int index) {
        List<String> names = runNames();
        if (index < 0 || index >= names.size()) {
            throw new SweepException(runsList() + ": no task " + index + " (the sweep has " + names.size() + " runs)");
        }
        return names.get(index);
    }

    /** The resolved spec of a run. */
    public ExperimentSpec spec(String run) {
        Path f = specFile(run);
        if (!Files.isRegularFile(f)) {
            throw new SweepException(f + ": the run's spec is missing");
        }
        try {
            return Specs.load(f);
        } catch (SpecException e) {
            throw new SweepException(e.getMessage(), e);
        }
    }

    /** The state of a run, read from its run folder. */
    public RunState state(String run) {
        Path dir = runDir(run);
        if (!Files.isRegularFile(dir.resolve("config.yaml"))) {
            Path error = errorFile(run);
            if (Files.isRegularFile(error)) {
                try {
                    return new RunState(RunState.FAILED, Files.readString(error, StandardCharsets.UTF_8).strip(), false,
                            Map.of());
                } catch (IOException e) {
                    return new RunState(RunState.FAILED, error + " unreadable", false, Map.of());
                }
            }
            return new RunState(RunState.PENDING, null, false, Map.of());
        }
        boolean checkpoint = hasCheckpoint(dir);
        Path summary = dir.resolve("summary.json");
        if (Files.isRegularFile(summary)) {
            try {
                JsonNode s = JSON.readTree(summary.toFile());
                Map<String, Object> fin = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = s.path("final").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isNumber()) {
                        fin.put(e.getKey(), e.getValue().numberValue());
                    }
                }
                String status = s.path("status").asText("");
                String error = s.hasNonNull("error") ? s.get("error").asText() : null;
                switch (status) {
                    case "completed":
                        return new RunState(RunState.COMPLETED, null, checkpoint, fin);
                    case "failed":
                    case "diverged":
                        return new RunState(RunState.FAILED, error == null ? status : error, checkpoint, fin);
                    default:
                        return new RunState(RunState.INTERRUPTED, error, checkpoint, fin);
                }
            } catch (IOException e) {
                return new RunState(RunState.INTERRUPTED, summary + " unreadable: " + e.getMessage(), checkpoint, Map.of());
            }
        }
        return new RunState(RunState.INTERRUPTED, null, checkpoint, Map.of());
    }

    private static boolean hasCheckpoint(Path runDir) {
        try {
            return Checkpoint.load(runDir).progress() != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Rewrites {@code sweep.json} and {@code sweep.csv} (atomically) from the run folders; {@code overrides} gives the
     * states the caller knows better (a process or a cluster task still running); {@code extra} adds top-level keys
     * (the executor, cluster job ids). Returns the states.
     */
    public Map<String, RunState> writeIndex(SweepPlan plan, String source, Map<String, String> running,
                                            Map<String, Object> extra) throws IOException {
        Map<String, RunState> states = new LinkedHashMap<>();
        for (SweepPlan.Run r : plan.runs()) {
            RunState s = state(r.name());
            if (running.containsKey(r.name()) && !s.completed()) {
                s = s.as(running.get(r.name()));
            }
            states.put(r.name(), s);
        }
        ObjectNode idx = JSON.createObjectNode();
        idx.put("name", plan.base().name());
        idx.put("spec", source);
        idx.put("updated", Instant.now().toString());
        idx.put("runs_total", plan.runs().size());
        ObjectNode counts = idx.putObject("counts");
        for (RunState s : states.values()) {
            counts.put(s.state(), counts.path(s.state()).asInt(0) + 1);
        }
        extra.forEach((k, v) -> idx.set(k, JSON.valueToTree(v)));
        ArrayNode axes = idx.putArray("axes");
        for (SweepAxis a : plan.definition().axes()) {
            ObjectNode ax = axes.addObject();
            ax.put("name", a.name());
            ArrayNode pts = ax.putArray("points");
            a.points().forEach(p -> pts.add(p.label()));
        }
        ArrayNode runs = idx.putArray("runs");
        Set<String> metricNames = new LinkedHashSet<>();
        for (SweepPlan.Run r : plan.runs()) {
            RunState s = states.get(r.name());
            ObjectNode o = runs.addObject();
            o.put("index", r.index());
            o.put("name", r.name());
            o.set("overrides", JSON.valueToTree(r.overrides()));
            o.put("state", s.state());
            o.put("run_dir", root.relativize(runDir(r.name())).toString());
            if (s.error() != null) {
                o.put("error", s.error());
            }
            if (!s.finalMetrics().isEmpty()) {
                o.set("final", JSON.valueToTree(s.finalMetrics()));
            }
            metricNames.addAll(s.finalMetrics().keySet());
        }
        AtomicFiles.writeString(index(), JSON.writeValueAsString(idx) + "\n");
        List<String> varied = plan.variedKeys();
        StringBuilder csv = new StringBuilder("index,name,state");
        varied.forEach(k -> csv.append(',').append(k));
        metricNames.forEach(k -> csv.append(',').append(k));
        csv.append('\n');
        for (SweepPlan.Run r : plan.runs()) {
            RunState s = states.get(r.name());
            csv.append(r.index()).append(',').append(r.name()).append(',').append(s.state());
            for (String k : varied) {
                csv.append(',').append(cell(r.overrides().getOrDefault(k, "")));
            }
            for (String k : metricNames) {
                Object v = s.finalMetrics().get(k);
                csv.append(',').append(v == null ? "" : number(k, ((Number) v).doubleValue()));
            }
            csv.append('\n');
        }
        AtomicFiles.writeString(table(), csv.toString());
        return states;
    }

    /** Counts as integers, the rest to 8 significant digits. */
    static String number(String column, double v) {
        if (column.endsWith("images") || column.equals("epoch") || column.equals("step")) {
            return Long.toString(Math.round(v));
        }
        return String.format(Locale.ROOT, "%.8g", v);
    }

    private static String cell(String v) {
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
