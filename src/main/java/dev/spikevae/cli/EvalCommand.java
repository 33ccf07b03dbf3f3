package dev.spikevae.cli;

import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;
import dev.spikevae.model.Esvae;
import dev.spikevae.tensor.Rng;
import dev.spikevae.train.EvalResult;
import dev.spikevae.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code spikevae eval}: test MSE, loss and firing rates of a checkpoint on a dataset split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint in eval mode (tdBN running statistics, stochastic sampling): test MSE "
                + "(sum of squared errors / pixels), loss, MMD², mean posterior and prior firing rates.")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    CheckpointOptions ck;

    @Option(names = "--dataset", description = "Dataset name (default: the checkpoint's spec; one of ${COMPLETION-CANDIDATES}).",
            completionCandidates = DatasetNames.class)
    String dataset;

    @Option(names = "--data-root", paramLabel = "DIR", description = "Data root (default: the spec's, $SPIKEVAE_DATA, or the dataset default).")
    Path dataRoot;

    @Option(names = "--split", description = "train or test (default: ${DEFAULT-VALUE}).", defaultValue = "test")
    String split;

    @Option(names = "--limit", description = "Evaluate only the first N images.")
    Integer limit;

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).", defaultValue = "256")
    int batchSize;

    @Option(names = "--lambda", description = "MMD weight λ in the reported loss (default: ${DEFAULT-VALUE}).", defaultValue = "0.001")
    double lambda;

    @Override
    public Integer call() throws Exception {
        Esvae model = ck.model();
        String name = dataset;
        Path root = dataRoot;
        if (ck.loaded.spec() != null) {
            ExperimentSpec spec = Specs.fromYaml(ck.loaded.spec(), ck.loaded.weightsFile() + " (spec)");
            name = name == null ? spec.data().dataset() : name;
            root = root == null && spec.data().root() != null ? Path.of(spec.data().root()) : root;
        }
        if (name == null) {
            throw new IllegalArgumentException("--dataset is needed: " + ck.checkpoint + " does not say which dataset it was trained on");
        }
        Split s = switch (split.toLowerCase(Locale.ROOT)) {
            case "train" -> Split.TRAIN;
            case "test" -> Split.TEST;
            default -> throw new IllegalArgumentException("--split: expected train or test, got '" + split + "'");
        };
        ImageDataset data = Datasets.open(name, root, s);
        if (limit != null) {
            data = Datasets.firstN(data, Math.min(limit, data.size()));
        }
        if (data.channels() != model.config().inChannels() || data.height() != model.config().imageSize()) {
            throw new IllegalArgumentException(data.name() + " has " + data.channels() + "×" + data.height() + "×" + data.width()
                    + " images but " + ck.checkpoint + " is a model for " + model.config().inChannels() + "×"
                    + model.config().imageSize() + "×" + model.config().imageSize());
        }
        Evaluator ev = new Evaluator(data, batchSize, (float) lambda, ck.seed);
        EvalResult r = ev.evaluate(model, new Rng(ck.seed));
        System.out.printf(Locale.ROOT, "%s on %s (%d images): mse %.6f  loss %.6f  mmd %.6f  rate post %.4f  rate prior %.4f%n",
                ck.loaded.weightsFile(), data.name(), r.images(), r.mse(), r.loss(), r.mmd(), r.ratePosterior(), r.ratePrior());
        return 0;
    }

    static final class DatasetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Datasets.names().iterator();
        }
    }
}
