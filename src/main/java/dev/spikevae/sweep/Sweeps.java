package dev.spikevae.sweep;

import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.tensor.BackendOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts, inspects and continues sweeps: plans the runs of a spec's {@code sweep:} section (plus command-line
 * multirun axes), prepares (or reuses) the sweep folder, and hands the runs to the executor.
 */
public final class Sweeps {
    private Sweeps() {
    }

    /** What {@code spikevae sweep} was asked to do besides the spec. */
    public record Request(List<String> overrides, ExecutorSettings executor, Path sweepDir, boolean dryRun,
                          ChildCommand child, boolean waitForCluster, BackendOptions options, List<String> commandLine) {
    }

    /** The spec with plain overrides applied, and the multirun ones ({@code key=a,b}) as axes. */
    public static SweepPlan plan(Specs.WithSweep spec, List<String> overrides) {
        List<String> plain = new ArrayList<>();
        List<String> multirun = new ArrayList<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            String value = eq < 0 ? "" : o.substring(eq + 1).trim();
            boolean quoted = value.length() >= 2 && (value.startsWith("'") || value.startsWith("\""));
            (value.contains(",") && !quoted ? multirun : plain).add(o);
        }
        ExperimentSpec base;
        try {
            base = Specs.override(spec.spec(), plain);
        } catch (IllegalArgumentException e) {
            throw new SweepException(e.getMessage(), e);
        }
        SweepDefinition d = SweepDefinition.parse(spec.sweep(), multirun, spec.source(), spec.text());
        return SweepPlan.expand(base, d, spec.source());
    }

    /** The default sweep folder: {@code <run.output>/<name>/sweep}. */
    public static Path defaultFolder(SweepPlan plan) {
        return Path.of(plan.base().run().output()).resolve(plan.base().name()).resolve("sweep");
    }

    /** Plans and runs (or submits) a sweep; returns the states of its runs (empty for a dry run). */
    public static Map<String, RunState> start(Specs.WithSweep spec, Request req, PrintStream out) throws IOException {
        SweepPlan plan = plan(spec, req.overrides());
        ExecutorSettings ex = spec.sweep() == null ? ExecutorSettings.LOCAL
                : SweepDefinition.parse(spec.sweep(), List.of(), spec.source(), spec.text()).executor();
        return execute(plan, ex, spec.source(), req, out);
    }

    /**
     * Runs (or submits) a planned sweep with {@code specExecutor} as the spec's executor settings, which the request's
     * win over; returns the states of its runs (empty for a dry run).
     */
    public static Map<String, RunState> execute(SweepPlan plan, ExecutorSettings specExecutor, String source,
                                                Request req, PrintStream out) throws IOException {
        ExecutorSettings ex = merge(specExecutor, req.executor());
        Path dir = req.sweepDir() != null ? req.sweepDir() : defaultFolder(plan);
        out.println("sweep " + plan.base().name() + ": " + plan.runs().size() + " runs"
                + (plan.definition().axes().isEmpty() ? "" : " over " + String.join(" × ",
                plan.definition().axes().stream().map(a -> a.name() + " (" + a.points().size() + ")").toList()))
                + ", executor " + ex.kind() + ", folder " + dir);
        if (req.dryRun()) {
            for (SweepPlan.Run r : plan.runs()) {
                out.println("  " + r.name() + "  " + String.join(" ", r.overrides().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            return Map.of();
        }
        SweepFolder folder = SweepFolder.prepare(dir, plan);
        Map<String, RunState> states;
        switch (ex.kind()) {
            case "local" -> states = LocalExecutor.run(folder, plan, source, req.options(), req.commandLine(), out);
            case "gpus" -> states = ProcessExecutor.run(folder, plan, source, slots(ex), req.child(), out);
            case "slurm" -> {
                states = SlurmExecutor.status(folder, plan, source);
                List<Integer> tasks = SlurmExecutor.unfinished(folder, states);
                if (tasks.isEmpty()) {
                    out.println("[sweep] nothing to submit: every run is completed, queued or running");
                } else {
                    SlurmExecutor.submit(folder, plan, tasks, ex.slurm(), req.child(), out);
                }
                states = req.waitForCluster() ? waitForSlurm(folder, plan, source, out)
                        : SlurmExecutor.status(folder, plan, source);
                if (!req.waitForCluster()) {
                    out.println("[sweep] follow it with: spikevae sweep status " + dir);
                }
            }
            case "kubernetes" -> {
                Path file = dir.resolve("kubernetes").resolve("job.yaml");
                Files.createDirectories(file.getParent());
                Path inPod = Path.of("/runs").resolve(Path.of(plan.base().run().output()).toAbsolutePath().normalize()
                        .relativize(dir.toAbsolutePath().normalize()));
                AtomicFiles.writeString(file, KubernetesJob.manifest(plan, ex.kubernetes(), inPod));
                states = folder.writeIndex(plan, source, Map.of(), Map.of("executor", "kubernetes"));
                out.println("[sweep] wrote the Indexed Job manifest " + file + "; submit it with: kubectl apply -f " + file);
                out.println("[sweep] (the pods see the sweep folder as " + inPod + "; follow it with spikevae sweep status)");
            }
            default -> throw new SweepException("unknown executor '" + ex.kind() + "'; expected one of "
                    + String.join(", ", ExecutorSettings.KINDS));
        }
        report(folder, states, out);
        return states;
    }

    /**
     * {@code reproduce table1}: runs the planned rows in the sweep folder {@code dir} with the request's executor,
     * then (unless the runs go on on a cluster) measures FAD, and IS and FID where {@code networks} gives their networks,
     * of every finished row and writes {@code table1.md} / {@code .csv} into {@code results}.
     */
    public static Map<String, RunState> reproduceTable1(Table1.Planned p, Path dir, Path results,
                                                        Table1Metrics.Networks networks,
                                                        Request req, String command, PrintStream out)
            throws IOException {
        out.println("Table I: " + p.plan().runs().size() + " rows to run" + (p.quick() ? " on the quick schedule ("
                + String.join(" ", Table1.QUICK) + ")" : ""));
        p.skipped().forEach((row, why) -> out.println("  skipped " + row + ": " + why));
        Request r = new Request(req.overrides(), req.executor(), dir, req.dryRun(), req.child(), req.waitForCluster(),
                req.options(), req.commandLine());
        if (!req.dryRun()) {
            SweepFolder.prepare(dir, p.plan());
            Table1Report.writeMarker(dir, p, command);
        }
        Map<String, RunState> states = execute(p.plan(), ExecutorSettings.LOCAL, "table1", r, out);
        if (req.dryRun()) {
            return states;
        }
        boolean busy = states.values().stream().anyMatch(s -> s.state().equals(RunState.PENDING)
                || s.state().equals(RunState.RUNNING) || s.state().equals("queued"));
        if (busy) {
            out.println("[table1] the runs go on; when they have ended, run the same command again: it measures the "
                    + "finished rows and writes the table");
        } else {
            SweepFolder folder = SweepFolder.open(dir);
            for (SweepPlan.Run run : p.plan().runs()) {
                if (states.get(run.name()).completed()) {
                    try {
                        Table1Metrics.measure(folder, run.name(), run.overrides().get("data.dataset"), networks,
                                req.options(), out);
                    } catch (IOException | RuntimeException e) {
                        out.println("[table1] " + run.name() + ": metrics not measured: " + e.getMessage());
                    }
                }
            }
            Table1Report.Written w = Table1Report.write(dir, results);
            out.println("[table1] wrote " + w.markdown() + " and " + w.csv());
        }
        return states;
    }

    /** Settings from the command line win over the spec's, key by key where they were given. */
    private static ExecutorSettings merge(ExecutorSettings spec, ExecutorSettings cli) {
        if (cli == null) {
            return spec;
        }
        ExecutorSettings out = spec;
        if (cli.kind() != null) {
            out = out.withKind(cli.kind());
        }
        if (cli.workers() > 0) {
            out = out.withWorkers(cli.workers());
        }
        if (!cli.gpus().isEmpty()) {
            out = out.withGpus(cli.gpus());
        }
        if (cli.slurm() != null) {
            ExecutorSettings.Slurm a = out.slurm();
            ExecutorSettings.Slurm b = cli.slurm();
            out = out.withSlurm(new ExecutorSettings.Slurm(b.partition() != null ? b.partition() : a.partition(),
                    b.time() != null ? b.time() : a.time(), b.account() != null ? b.account() : a.account(),
                    b.gpusPerTask() > 0 ? b.gpusPerTask() : a.gpusPerTask(),
                    b.cpusPerTask() > 0 ? b.cpusPerTask() : a.cpusPerTask(), b.memory() != null ? b.memory() : a.memory(),
                    b.parallel() > 0 ? b.parallel() : a.parallel(), b.extra().isEmpty() ? a.extra() : b.extra()));
        }
        if (cli.kubernetes() != null) {
            out = out.withKubernetes(cli.kubernetes());
        }
        return out;
    }

    private static List<ProcessExecutor.Slot> slots(ExecutorSettings ex) {
        if (ex.workers() > 0) {
            return ProcessExecutor.cpuSlots(ex.workers(), Runtime.getRuntime().availableProcessors());
        }
        List<Integer> gpus = ex.gpus().isEmpty() ? ProcessExecutor.detectGpus() : ex.gpus();
        if (gpus.isEmpty()) {
            throw new SweepException("executor gpus: nvidia-smi lists no GPU here; give --gpus 0,1 or run on CPU cores "
                    + "with --workers N (each gets cores/N threads)");
        }
        return ProcessExecutor.gpuSlots(gpus);
    }

    /** Where a sweep stands now (for Slurm sweeps, asking the cluster); rewrites the index. */
    public static Map<String, RunState> status(Path dir, PrintStream out) throws IOException {
        SweepFolder folder = SweepFolder.open(dir);
        SweepPlan plan = folder.plan();
        Map<String, RunState> states = Files.exists(dir.resolve("slurm").resolve("jobs.json"))
                ? SlurmExecutor.status(folder, plan, folder.planFile().toString())
                : folder.writeIndex(plan, folder.planFile().toString(), Map.of(), Map.of());
        for (Map.Entry<String, RunState> e : states.entrySet()) {
            RunState s = e.getValue();
            Object mse = s.finalMetrics().get("test_mse");
            out.println("  " + e.getKey() + "  " + s.state() + (mse == null ? "" : "  test_mse " + mse)
                    + (s.error() == null ? "" : "  (" + s.error() + ")"));
        }
        report(folder, states, out);
        return states;
    }

    /** Submits a new Slurm array of the runs that are neither completed nor queued nor running. */
    public static Map<String, RunState> resubmit(Path dir, ExecutorSettings.Slurm settings, ChildCommand child,
                                                 boolean wait, PrintStream out) throws IOException {
        SweepFolder folder = SweepFolder.open(dir);
        SweepPlan plan = folder.plan();
        String source = folder.planFile().toString();
        Map<String, RunState> states = SlurmExecutor.status(folder, plan, source);
        List<Integer> tasks = SlurmExecutor.unfinished(folder, states);
        if (tasks.isEmpty()) {
            out.println("[sweep] nothing to resubmit: every run is completed, queued or running");
        } else {
            SlurmExecutor.submit(folder, plan, tasks, settings, child, out);
        }
        states = wait ? waitForSlurm(folder, plan, source, out) : SlurmExecutor.status(folder, plan, source);
        report(folder, states, out);
        return states;
    }

    private static Map<String, RunState> waitForSlurm(SweepFolder folder, SweepPlan plan, String source, PrintStream out)
            throws IOException {
        SweepProgress progress = new SweepProgress(out, plan.runs().size(), 1);
        String last = "";
        while (true) {
            Map<String, RunState> states = SlurmExecutor.status(folder, plan, source);
            String now = states.values().stream().map(RunState::state).toList().toString();
            if (!now.equals(last)) {
                progress.print(states);
                last = now;
            }
            if (!SlurmExecutor.busy(states)) {
                return states;
            }
            try {
                Thread.sleep(2000); // polling the scheduler
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SweepException("interrupted while waiting for the Slurm jobs; they go on: spikevae sweep status "
                        + folder.root());
            }
        }
    }

    private static void report(SweepFolder folder, Map<String, RunState> states, PrintStream out) {
        long done = states.values().stream().filter(RunState::completed).count();
        long failed = states.values().stream().filter(s -> s.state().equals(RunState.FAILED)).count();
        out.println("sweep folder: " + folder.root() + " (" + done + "/" + states.size() + " completed, " + failed
                + " failed)");
        out.println("  index: " + folder.index() + ", table: " + folder.table());
    }

    /** Runs one run of a sweep folder in this process (the body of a child process or an array task). */
    public static RunState runOne(Path dir, String name, BackendOptions options, List<String> commandLine,
                                  PrintStream out) throws IOException {
        SweepFolder folder = SweepFolder.open(dir);
        if (!folder.runNames().contains(name)) {
            throw new SweepException(dir + ": no run \"" + name + "\" (see " + folder.runsList() + ")");
        }
        return SweepRunner.run(folder, name, options, commandLine, out);
    }

    /** Runs array task {@code index} of a sweep folder (line {@code index} of runs.txt). */
    public static RunState runTask(Path dir, int index, BackendOptions options, List<String> commandLine,
                                   PrintStream out) throws IOException {
        SweepFolder folder = SweepFolder.open(dir);
        return SweepRunner.run(folder, folder.runName(index), options, commandLine, out);
    }
}
