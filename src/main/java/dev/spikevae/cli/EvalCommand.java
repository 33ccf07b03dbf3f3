package dev.spikevae.cli;

import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.tensor.Rng;
import dev.spikevae.train.EvalResult;
import dev.spikevae.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code spikevae eval}: the test figures of a checkpoint, as its training run computed them. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a checkpoint in eval mode (tdBN running statistics): test MSE (sum of squared errors / "
                + "pixels), the loss and its terms, and the model's monitored values (ESVAE: mean posterior and prior "
                + "firing rates).",
                "The MSE is stochastic: the latent is sampled in eval mode too. On a checkpoint of a training run, eval "
                        + "repeats that run's evaluation of the checkpoint's epoch — same test images (the spec's dataset "
                        + "and test_limit), batch size and random stream — so it reproduces the test figures in the run's "
                        + "metrics.csv and summary.json. --seed N draws a fresh stream instead (the same N gives the same "
                        + "figures); --dataset, --split, --limit and --batch-size change what is evaluated."})
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

    @Option(names = "--limit", description = "Evaluate only the first N images (default: the spec's data.test_limit "
            + "on its own test set, else all).")
    Integer limit;

    @Option(names = "--batch-size", description = "Batch size (default: the spec's data.test_batch_size, else 256).")
    Integer batchSize;

    @Option(names = "--seed", description = "Seed of a fresh sampling stream (default: repeat the training run's "
            + "evaluation stream for the checkpoint's epoch; 42 for checkpoints without a run).")
    Long seed;

    @Option(names = "--metrics", split = ",", paramLabel = "LIST", description = "Which figures (default: mse): mse "
            + "(the test MSE, loss terms and monitors), fad (autoencoder Fréchet distance of 40 × 128 samples), rates "
            + "(mean firing rates and the mean sampled latent map), ops (operation counts of the test pass), is "
            + "(Inception Score, --is-model; ONNX Runtime), fid (clean-fid FID of 5,000 samples, --fid-model and "
            + "--fid-stats; ONNX Runtime), docs/metrics.md.")
    java.util.List<String> metrics;

    @Option(names = "--fad-batches", description = "FAD: batches of 128 samples (default: ${DEFAULT-VALUE}, the "
            + "published 5,120 samples).", defaultValue = "40")
    int fadBatches;

    @Option(names = "--fad-dataset", description = "FAD: whose autoencoder and statistics (default: the evaluated "
            + "dataset).")
    String fadDataset;

    @Option(names = "--fad-weights", paramLabel = "FILE", description = "FAD encoder converted by "
            + "tools/convert_fad_autoencoder.py (default: the shipped one for mnist and fashion-mnist).")
    Path fadWeights;

    @Option(names = "--fad-stats", paramLabel = "FILE.npz", description = "FAD reference statistics (default: the "
            + "shipped *_test_* file of the dataset).")
    Path fadStats;

    @Option(names = "--is-model", paramLabel = "FILE.onnx", description = "IS: the classifier exported by "
            + "tools/export_inception.py (needs ONNX Runtime on SPIKEVAE_CLASSPATH).")
    Path isModel;

    @Option(names = "--is-splits", description = "IS: splits, one batch of samples each (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int isSplits;

    @Option(names = "--is-batch", description = "IS: samples per split (default: ${DEFAULT-VALUE}; 10 × 256 = 2,560, "
            + "the published protocol).", defaultValue = "256")
    int isBatch;

    @Option(names = "--fid-model", paramLabel = "FILE.onnx", description = "FID: clean-fid's Inception exported by "
            + "tools/export_inception.py fid (needs ONNX Runtime on SPIKEVAE_CLASSPATH).")
    Path fidModel;

    @Option(names = "--fid-stats", paramLabel = "FILE.npz", description = "FID: the reference statistics "
            + "<dataset>_clean_custom_na.npz (mu, sigma) of the published evaluation.")
    Path fidStats;

    @Option(names = "--fid-samples", description = "FID: generated samples (default: ${DEFAULT-VALUE}, the published "
            + "protocol).", defaultValue = "5000")
    int fidSamples;

    @Option(names = "--latent-map", paramLabel = "FILE.npy", description = "With rates: write the mean sampled "
            + "latent map (latent × steps) here.")
    Path latentMap;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--limit", limit, 1);
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.device(ck.device);
        try (GenerativeModel model = ck.model()) {
            evaluate(model);
        }
        return 0;
    }

    private void evaluate(GenerativeModel model) throws Exception {
        ExperimentSpec spec = ck.loaded.spec() == null ? null
                : Specs.fromYaml(ck.loaded.spec(), ck.loaded.weightsFile() + " (spec)");
        Split s = switch (split.toLowerCase(Locale.ROOT)) {
            case "train" -> Split.TRAIN;
            case "test" -> Split.TEST;
            default -> throw new IllegalArgumentException("--split: expected train or test, got '" + split + "'");
        };
        String name = dataset != null ? dataset : spec == null ? null : spec.data().dataset();
        if (name == null) {
            throw new IllegalArgumentException("--dataset is needed: " + ck.checkpoint + " does not say which dataset it was trained on");
        }
        boolean runsOwnTestSet = spec != null && s == Split.TEST && name.equals(spec.data().dataset());
        Path root = dataRoot != null ? dataRoot
                : spec != null && spec.data().root() != null ? Path.of(spec.data().root()) : null;
        Integer n = limit != null ? limit : runsOwnTestSet ? spec.data().testLimit() : null;
        if (n != null && n < 1) {
            throw new IllegalArgumentException("--limit must be >= 1, got " + n);
        }
        int batch = batchSize != null ? batchSize : spec != null ? spec.data().testBatchSize() : 256;
        if (batch < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batch);
        }
        ImageDataset data = Datasets.open(name, root, s);
        if (n != null) {
            data = Datasets.firstN(data, Math.min(n, data.size()));
        }
        ModelConfig c = model.config();
        if (data.channels() != c.inChannels() || data.height() != c.imageSize() || data.width() != c.imageSize()) {
            throw new IllegalArgumentException(data.name() + " has " + data.channels() + "×" + data.height() + "×" + data.width()
                    + " images but " + ck.checkpoint + " is a model for " + c.inChannels() + "×" + c.imageSize() + "×"
                    + c.imageSize());
        }
        int epoch = ck.loaded.progress() == null ? 0 : ck.loaded.progress().epoch();
        Rng stream;
        String streamName;
        if (seed == null && spec != null && ck.loaded.progress() != null) {
            stream = Evaluator.stream(spec.run().seed(), epoch);
            streamName = "the run's evaluation stream of epoch " + epoch;
        } else {
            long sd = seed == null ? 42 : seed;
            stream = new Rng(sd);
            streamName = "seed " + sd;
        }
        java.util.Set<String> wanted = EvalMetrics.parse(metrics);
        if (wanted.contains("mse")) {
            EvalResult r = new Evaluator(data, batch, 0).evaluate(model, stream, epoch);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s on %s (%d images, batch %d, %s):",
                    ck.loaded.weightsFile(), data.name(), r.images(), batch, streamName));
            for (Map.Entry<String, Double> e : r.values().entrySet()) {
                line.append(String.format(Locale.ROOT, "  %s %.8g", e.getKey(), e.getValue()));
            }
            System.out.println(line);
        }
        EvalMetrics.more(wanted, model, data, batch, stream, epoch, fadDataset != null ? fadDataset : name, this);
    }

    static final class DatasetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Datasets.names().iterator();
        }
    }
}
