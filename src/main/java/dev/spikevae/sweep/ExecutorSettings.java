package dev.spikevae.sweep;

import java.util.List;

/**
 * Where a sweep's runs execute ({@code sweep.executor} or {@code --executor}) and the settings of each executor.
 *
 * @param kind       {@code local} (one run after another, in this process), {@code gpus} (child processes, one per
 *                   GPU or CPU worker at a time), {@code slurm} (a job array through sbatch) or {@code kubernetes}
 *                   (an Indexed Job manifest for kubectl)
 * @param workers    gpus executor: CPU worker processes, the cores split between them (0: one per GPU found)
 * @param gpus       gpus executor: GPU indices to use, one run on each at a time (empty: all that nvidia-smi lists)
 * @param slurm      slurm executor settings
 * @param kubernetes kubernetes executor settings
 */
public record ExecutorSettings(String kind, int workers, List<Integer> gpus, Slurm slurm, Kubernetes kubernetes) {

    /** Executor kinds. */
    public static final List<String> KINDS = List.of("local", "gpus", "slurm", "kubernetes");

    /** The defaults: local. */
    public static final ExecutorSettings LOCAL = new ExecutorSettings("local", 0, List.of(), Slurm.DEFAULT,
            Kubernetes.DEFAULT);

    public ExecutorSettings {
        gpus = List.copyOf(gpus);
    }

    public ExecutorSettings withKind(String k) {
        return new ExecutorSettings(k, workers, gpus, slurm, kubernetes);
    }

    public ExecutorSettings withWorkers(int w) {
        return new ExecutorSettings(kind, w, gpus, slurm, kubernetes);
    }

    public ExecutorSettings withGpus(List<Integer> g) {
        return new ExecutorSettings(kind, workers, g, slurm, kubernetes);
    }

    public ExecutorSettings withSlurm(Slurm s) {
        return new ExecutorSettings(kind, workers, gpus, s, kubernetes);
    }

    public ExecutorSettings withKubernetes(Kubernetes k) {
        return new ExecutorSettings(kind, workers, gpus, slurm, k);
    }

    /**
     * A Slurm job array: one array task per run.
     *
     * @param partition    {@code --partition} (null: the cluster's default)
     * @param time         {@code --time}, e.g. {@code 24:00:00} (null: the partition's limit)
     * @param account      {@code --account} (null: none)
     * @param gpusPerTask  {@code --gres=gpu:N} per task (0: none)
     * @param cpusPerTask  {@code --cpus-per-task} (0: the cluster's default)
     * @param memory       {@code --mem}, e.g. {@code 16G} (null: the default)
     * @param parallel     at most this many tasks at once ({@code --array=0-N%parallel}; 0: no limit)
     * @param extra        further {@code #SBATCH} lines, verbatim (e.g. {@code --qos=normal})
     */
    public record Slurm(String partition, String time, String account, int gpusPerTask, int cpusPerTask, String memory,
                        int parallel, List<String> extra) {
        public static final Slurm DEFAULT = new Slurm(null, null, null, 0, 0, null, 0, List.of());

        public Slurm {
            extra = List.copyOf(extra);
        }
    }

    /**
     * An Indexed Job: one completion per run.
     *
     * @param image       the container image (the project's docker/Dockerfile)
     * @param namespace   the namespace (null: kubectl's current one)
     * @param gpusPerRun  {@code nvidia.com/gpu} per pod (0: none)
     * @param parallelism pods at once (0: as many as runs)
     * @param dataClaim   the PersistentVolumeClaim mounted read-only at /data
     * @param runsClaim   the PersistentVolumeClaim mounted at /runs, where the sweep folder lives
     */
    public record Kubernetes(String image, String namespace, int gpusPerRun, int parallelism, String dataClaim,
                             String runsClaim) {
        public static final Kubernetes DEFAULT = new Kubernetes("spikevae:latest", null, 1, 0, "spikevae-data",
                "spikevae-runs");
    }
}
