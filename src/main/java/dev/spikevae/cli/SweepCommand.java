package dev.spikevae.cli;

import dev.spikevae.experiment.Specs;
import dev.spikevae.sweep.ChildCommand;
import dev.spikevae.sweep.ExecutorSettings;
import dev.spikevae.sweep.RunState;
import dev.spikevae.sweep.Sweeps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code spikevae sweep}: a family of runs from one spec, on this machine, a GPU server or a Slurm cluster. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run every point of a spec's sweep: section (grid, zip, seeds, variants) and of command-line "
                + "lists (key=a,b,c adds a grid axis; key=value overrides every run). Each run gets its own run folder "
                + "under the sweep folder, whose sweep.json / sweep.csv index maps runs to overrides, state and final "
                + "figures. Starting the same sweep again skips finished runs and resumes interrupted ones.",
                "Executors: local (one after another, default), gpus (one run per GPU at a time, or --workers N CPU "
                        + "workers), slurm (a job array through sbatch), kubernetes (writes an Indexed Job manifest).",
                "Examples:",
                "  spikevae sweep ablations/timesteps --dry-run",
                "  spikevae sweep fashion-mnist model.lambda=0.0001,0.001,0.01 train.epochs=20",
                "  spikevae sweep my-sweep.yaml --executor gpus --gpus 0,1,2,3",
                "  spikevae sweep my-sweep.yaml --executor slurm --partition gpu --gpus-per-task 1 --time 12:00:00",
                "  spikevae sweep status runs/fashion-mnist/sweep"},
        subcommands = {SweepCommand.Status.class, SweepCommand.Resubmit.class, SweepCommand.RunOne.class,
                SweepCommand.RunTask.class})
public final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "A spec file (with or without a sweep: section) or a "
            + "built-in name (the ablations: ablations/timesteps, ...; or any built-in spec).")
    String spec;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE[,VALUE...]", description = "Overrides; a list adds a grid axis.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--dry-run", description = "List the runs and their overrides; run nothing.")
    boolean dryRun;

    @Mixin
    ExecutorOptions executorOptions = new ExecutorOptions();

    @Option(names = "--sweep-dir", paramLabel = "DIR", description = "The sweep folder (default: <run.output>/<name>/sweep).")
    Path sweepDir;

    @Option(names = "--device", description = "auto, cpu or cuda for every run (sets run.device).")
    String device;

    @Option(names = "--output", paramLabel = "DIR", description = "Runs root folder (sets run.output).")
    String output;

    @Override
    public Integer call() throws Exception {
        ExecutorSettings executorSettings = executorOptions.settings();
        if (spec == null) {
            throw new IllegalArgumentException("give a SPEC (a spec file or a built-in name, e.g. ablations/timesteps), "
                    + "or one of the subcommands status, resubmit");
        }
        Specs.WithSweep s = Files.isRegularFile(Path.of(spec)) ? Specs.loadWithSweep(Path.of(spec))
                : Specs.builtinWithSweep(spec);
        List<String> all = new ArrayList<>(overrides);
        if (device != null) {
            all.add("run.device=" + device);
        }
        if (output != null) {
            all.add("run.output=" + output);
        }
        Map<String, RunState> states = Sweeps.start(s, new Sweeps.Request(all, executorSettings, sweepDir,
                dryRun, executorOptions.child(), executorOptions.waitForCluster, Main.backendOptions(),
                SpecArgs.commandLine("sweep")), System.out);
        return states.values().stream().anyMatch(r -> r.state().equals(RunState.FAILED)) ? 1 : 0;
    }

    static ChildCommand child(String launcher) {
        return launcher == null ? ChildCommand.thisJvm() : ChildCommand.launcher(launcher);
    }

    /** {@code sweep status DIR}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Where each run of a sweep folder stands (asking Slurm for its tasks); rewrites the index.")
    static final class Status implements Callable<Integer> {
        @Parameters(paramLabel = "SWEEP_DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Sweeps.status(dir, System.out);
            return 0;
        }
    }

    /** {@code sweep resubmit DIR}. */
    @Command(name = "resubmit", mixinStandardHelpOptions = true,
            description = "Slurm: submit a new job array of the runs that are neither completed nor queued nor running "
                    + "(failed or interrupted ones resume from their last checkpoint).")
    static final class Resubmit implements Callable<Integer> {
        @Parameters(paramLabel = "SWEEP_DIR")
        Path dir;

        @Option(names = "--wait", description = "Wait until every task has ended.")
        boolean waitForCluster;

        @Option(names = "--launcher", paramLabel = "CMD", description = "How the tasks start spikevae.")
        String launcher;

        @Option(names = "--partition")
        String partition;

        @Option(names = "--time")
        String time;

        @Option(names = "--account")
        String account;

        @Option(names = "--gpus-per-task")
        int gpusPerTask;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast("--gpus-per-task", gpusPerTask, 0);
            Map<String, RunState> states = Sweeps.resubmit(dir, new ExecutorSettings.Slurm(partition, time, account,
                    gpusPerTask, 0, null, 0, List.of()), child(launcher), waitForCluster, System.out);
            return states.values().stream().anyMatch(r -> r.state().equals(RunState.FAILED)) ? 1 : 0;
        }
    }

    /** {@code sweep run-one DIR NAME}: the body of a child process. */
    @Command(name = "run-one", hidden = true, description = "Run one run of a sweep folder in this process.")
    static final class RunOne implements Callable<Integer> {
        @Parameters(index = "0")
        Path dir;

        @Parameters(index = "1")
        String name;

        @Override
        public Integer call() throws Exception {
            RunState s = Sweeps.runOne(dir, name, Main.backendOptions(), SpecArgs.commandLine("sweep"), System.out);
            return s.completed() ? 0 : 1;
        }
    }

    /** {@code sweep run-task DIR INDEX}: the body of a Slurm array task or a Kubernetes completion. */
    @Command(name = "run-task", hidden = true, description = "Run array task INDEX of a sweep folder in this process.")
    static final class RunTask implements Callable<Integer> {
        @Parameters(index = "0")
        Path dir;

        @Parameters(index = "1")
        int index;

        @Override
        public Integer call() throws Exception {
            RunState s = Sweeps.runTask(dir, index, Main.backendOptions(), SpecArgs.commandLine("sweep"), System.out);
            return s.completed() ? 0 : 1;
        }
    }
}
