package dev.spikevae.cli;

import dev.spikevae.sweep.RunState;
import dev.spikevae.sweep.Sweeps;
import dev.spikevae.sweep.Table1;
import dev.spikevae.sweep.Table1Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code spikevae reproduce}: the paper's tables as families of runs. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Reproduce one of the paper's tables: run its rows as a sweep, then write the table with the "
                + "paper's numbers beside ours.",
        subcommands = {ReproduceCommand.Table1Command.class})
public final class ReproduceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new IllegalArgumentException("name the table: spikevae reproduce table1 [--quick] (see --help)");
    }

    /** {@code reproduce table1}. */
    @Command(name = "table1", mixinStandardHelpOptions = true,
            description = {"Table I: the ANN VAE, FSVAE and ESVAE rows of MNIST, Fashion-MNIST, CIFAR-10 and CelebA, each "
                    + "the built-in spec <model>/<dataset>; a dataset whose files are not found is skipped with the "
                    + "reason. The rows run as a sweep (any executor; restarting skips finished rows and resumes "
                    + "interrupted ones); then results/table1.md and table1.csv list the paper's numbers, ours, the "
                    + "difference, the command and the run folder of every row.",
                    "Examples:",
                    "  spikevae reproduce table1 --quick --datasets fashion-mnist     (about 30 minutes on 2 CPU cores)",
                    "  spikevae reproduce table1 --executor gpus                       (every row, one per GPU)",
                    "  spikevae reproduce table1 --executor slurm --partition gpu --gpus-per-task 1 --time 48:00:00"})
    static final class Table1Command implements Callable<Integer> {
        @Option(names = "--quick", description = "A short schedule (one epoch over 4,096 images at batch 32, 1,024 test "
                + "images) that checks the pipeline; the table says its numbers are not the paper's protocol.")
        boolean quick;

        @Option(names = "--datasets", split = ",", paramLabel = "D", description = "Datasets (default: all four: "
                + "mnist, fashion-mnist, cifar10, celeba).")
        List<String> datasets = new ArrayList<>(Table1.DATASETS);

        @Option(names = "--models", split = ",", paramLabel = "M", description = "Models (default: ann-vae, fsvae, esvae).")
        List<String> models = new ArrayList<>(Table1.MODELS);

        @Option(names = "--output", paramLabel = "DIR", description = "Runs root folder (default: ${DEFAULT-VALUE}); "
                + "the rows run in DIR/table1/ (DIR/table1-quick/ with --quick).", defaultValue = "runs")
        Path output;

        @Option(names = "--results", paramLabel = "DIR", description = "Where table1.md and table1.csv go (default: "
                + "${DEFAULT-VALUE}).", defaultValue = "results")
        Path results;

        @Option(names = "--data-root", paramLabel = "DIR", description = "The data root (sets data.root).")
        String dataRoot;

        @Option(names = "--device", description = "auto, cpu or cuda for every row (sets run.device).")
        String device;

        @Option(names = "--is-model", paramLabel = "FILE.onnx", description = "The Inception classifier exported by "
                + "tools/export_inception.py (needs ONNX Runtime on SPIKEVAE_CLASSPATH); without it IS is not measured.")
        Path isModel;

        @Option(names = "--fid-model", paramLabel = "FILE.onnx", description = "clean-fid's Inception feature network "
                + "exported by tools/export_inception.py fid (needs ONNX Runtime on SPIKEVAE_CLASSPATH); without it FID "
                + "is not measured.")
        Path fidModel;

        @Option(names = "--fid-stats", paramLabel = "DIR|FILE", description = "FID reference statistics: a folder "
                + "holding each dataset's <dataset>_clean_custom_na.npz (mnist_test, fashion_test, cifar10_test, "
                + "celeba_valid), or one such file.")
        Path fidStats;

        @Option(names = "--fid-samples", description = "FID: generated samples (default: ${DEFAULT-VALUE}, the published "
                + "protocol).", defaultValue = "5000")
        int fidSamples;

        @Option(names = "--fad-batches", description = "FAD: batches of 128 samples (default: ${DEFAULT-VALUE}, the "
                + "published 5,120 samples).", defaultValue = "40")
        int fadBatches;

        @Option(names = "--dry-run", description = "List the rows that would run and those skipped; run nothing.")
        boolean dryRun;

        @Mixin
        ExecutorOptions executorOptions = new ExecutorOptions();

        @Parameters(paramLabel = "KEY=VALUE", description = "Overrides applied to every row (after --quick's).")
        List<String> overrides = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Checks.atLeast("--fad-batches", fadBatches, 1);
            Checks.atLeast("--fid-samples", fidSamples, 2);
            if ((fidModel == null) != (fidStats == null)) {
                throw new IllegalArgumentException("--fid-model and --fid-stats go together (FID needs the network and "
                        + "the reference statistics)");
            }
            List<String> all = new ArrayList<>(overrides);
            if (dataRoot != null) {
                all.add("data.root=" + dataRoot);
            }
            if (device != null) {
                all.add("run.device=" + device);
            }
            all.add("run.output=" + output);
            Table1.Planned plan = Table1.plan(datasets, models, quick, all, Table1.DataCheck.FILES);
            Path dir = output.resolve(quick ? "table1-quick" : "table1");
            String command = String.join(" ", SpecArgs.commandLine("reproduce"));
            Map<String, RunState> states = Sweeps.reproduceTable1(plan, dir, results,
                    new Table1Metrics.Networks(isModel, fidModel, fidStats, fidSamples, fadBatches), new Sweeps.Request(List.of(),
                    executorOptions.settings(), dir, dryRun, executorOptions.child(), executorOptions.waitForCluster,
                    Main.backendOptions(), SpecArgs.commandLine("reproduce")), command, System.out);
            return states.values().stream().anyMatch(r -> r.state().equals(RunState.FAILED)) ? 1 : 0;
        }
    }
}
