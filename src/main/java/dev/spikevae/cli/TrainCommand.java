package dev.spikevae.cli;

import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code spikevae train}: runs an experiment spec, or resumes a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, usageHelpWidth = 130,
        description = {"Train a model from an experiment spec (a YAML/JSON file or a built-in name) with dotted overrides.",
                "Writes runs/<name>/<timestamp>-<model>-<dataset>/ with config.yaml, env.json, metrics.csv/jsonl, "
                        + "checkpoints/, samples/, plots/ and summary.json.",
                "Examples:",
                "  spikevae train --spec fashion-mnist data.root=/data train.epochs=5",
                "  spikevae train --spec my-run.yaml model.latent=64",
                "  spikevae train --resume runs/fashion-mnist/20261128-120000-esvae-fashion-mnist train.epochs=20"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--spec", paramLabel = "FILE|NAME",
            description = "Spec file (.yaml, .yml, .json) or built-in name (${COMPLETION-CANDIDATES}).",
            completionCandidates = SpecArgs.BuiltinNames.class)
    String spec;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue this run directory from its last checkpoint (overrides may raise train.epochs).")
    Path resume;

    @Option(names = "--data-root", paramLabel = "DIR", description = "Data root (sets data.root; default: the spec's, "
            + "$SPIKEVAE_DATA, or the dataset's default).")
    String dataRoot;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws Exception {
        List<String> all = new java.util.ArrayList<>(run.all());
        if (dataRoot != null) {
            all.add("data.root=" + dataRoot);
        }
        if (resume != null) {
            if (spec != null) {
                throw new IllegalArgumentException("--resume continues the run's own spec (config.yaml); drop --spec");
            }
            ExperimentRunner.resume(resume, all, Main.backendOptions(), SpecArgs.commandLine("train"), System.out);
            return 0;
        }
        if (spec == null) {
            throw new IllegalArgumentException("give --spec FILE|NAME (built-in: " + String.join(", ", SpecArgs.builtins())
                    + ") or --resume RUN_DIR");
        }
        ExperimentSpec s = SpecArgs.resolve(spec, all);
        ExperimentRunner.train(s, Main.backendOptions(), SpecArgs.commandLine("train"), System.out);
        return 0;
    }
}
