package dev.spikevae.cli;

import dev.spikevae.sweep.ChildCommand;
import dev.spikevae.sweep.ExecutorSettings;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The executor options of {@code sweep} and {@code reproduce}: where a family of runs runs. */
final class ExecutorOptions {
    @Option(names = "--executor", description = "local, gpus, slurm or kubernetes (default: the spec's sweep.executor, "
            + "else local).")
    String executor;

    @Option(names = "--workers", description = "gpus executor on CPU cores: N worker processes, cores split between them.")
    int workers;

    @Option(names = "--gpus", split = ",", paramLabel = "I", description = "gpus executor: GPU indices (default: all "
            + "nvidia-smi lists).")
    List<Integer> gpus = new ArrayList<>();

    @Option(names = "--launcher", paramLabel = "CMD", description = "How child processes and cluster tasks start "
            + "spikevae (default: this java with its class path; e.g. /opt/spikevae/spikevae).")
    String launcher;

    @Option(names = "--wait", description = "slurm: wait until every task has ended, then print the table.")
    boolean waitForCluster;

    @Option(names = "--partition", description = "slurm: --partition.")
    String partition;

    @Option(names = "--time", description = "slurm: --time limit per task, e.g. 12:00:00.")
    String time;

    @Option(names = "--account", description = "slurm: --account.")
    String account;

    @Option(names = "--gpus-per-task", description = "slurm: --gres=gpu:N per task.")
    int gpusPerTask;

    @Option(names = "--cpus-per-task", description = "slurm: --cpus-per-task (also the runs' thread count).")
    int cpusPerTask;

    @Option(names = "--mem", description = "slurm: --mem per task, e.g. 16G.")
    String memory;

    @Option(names = "--parallel", description = "slurm: at most N tasks at once.")
    int parallel;

    @Option(names = "--image", description = "kubernetes: the container image (default spikevae:latest).")
    String image;

    /** The settings given on the command line (those not given stay unset, so the spec's apply). */
    ExecutorSettings settings() {
        Checks.atLeast("--workers", workers, 0);
        Checks.atLeast("--gpus-per-task", gpusPerTask, 0);
        Checks.atLeast("--cpus-per-task", cpusPerTask, 0);
        Checks.atLeast("--parallel", parallel, 0);
        for (Integer g : gpus) {
            Checks.atLeast("--gpus", g, 0);
        }
        ExecutorSettings.Slurm slurm = new ExecutorSettings.Slurm(partition, time, account, gpusPerTask, cpusPerTask,
                memory, parallel, List.of());
        ExecutorSettings.Kubernetes k8s = image == null ? null : new ExecutorSettings.Kubernetes(image, null,
                ExecutorSettings.Kubernetes.DEFAULT.gpusPerRun(), 0, ExecutorSettings.Kubernetes.DEFAULT.dataClaim(),
                ExecutorSettings.Kubernetes.DEFAULT.runsClaim());
        return new ExecutorSettings(executor, workers, gpus, slurm, k8s);
    }

    ChildCommand child() {
        return SweepCommand.child(launcher);
    }
}
