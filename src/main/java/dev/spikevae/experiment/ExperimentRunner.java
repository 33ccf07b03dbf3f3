package dev.spikevae.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.spikevae.data.DataLoader;
import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ModelConfig;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.tensor.Backends;
import dev.spikevae.tensor.Rng;
import dev.spikevae.train.AdamW;
import dev.spikevae.train.Checkpoint;
import dev.spikevae.train.CheckpointWriter;
import dev.spikevae.train.EvalResult;
import dev.spikevae.train.Evaluator;
import dev.spikevae.train.LossCurve;
import dev.spikevae.train.MetricsLog;
import dev.spikevae.train.ProgressBar;
import dev.spikevae.train.SampleGrids;
import dev.spikevae.train.TrainListener;
import dev.spikevae.train.Trainer;
import dev.spikevae.train.TrainingDivergedException;
import dev.spikevae.train.TrainingStep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one training spec end to end, for any registered model type: backend, data, model, AdamW over the model's
 * parameter groups, run directory, listeners, the trainer, and {@code summary.json}. A run is resumed from its directory: the resolved spec in
 * {@code config.yaml} and {@code checkpoints/last.*} give back the exact state after the last finished epoch.
 */
public final class ExperimentRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a finished run left behind. */
    public record Result(RunDirectory run, int epochs, EvalResult test, Path lastCheckpoint, Double untrainedTestMse) {}

    private ExperimentRunner() {
    }

    /** A fresh run of {@code spec} under {@code spec.run().output()}. */
    public static Result train(ExperimentSpec spec, List<String> commandLine, PrintStream out) throws Exception {
        return train(spec, BackendOptions.defaults(), commandLine, out);
    }

    /** A fresh run of {@code spec}; the backend is created with {@code options} and the spec's thread count. */
    public static Result train(ExperimentSpec spec, BackendOptions options, List<String> commandLine, PrintStream out)
            throws Exception {
        Specs.validate(spec);
        Inputs in = inputs(spec, options); // data and device problems surface before a run folder exists
        RunDirectory run = RunDirectory.create(spec, Clock.systemDefaultZone());
        return execute(spec, in, run, null, commandLine, out);
    }

    /** A fresh run of {@code spec} in the folder {@code runDir} (a sweep's runs live in folders it names). */
    public static Result trainIn(Path runDir, ExperimentSpec spec, BackendOptions options, List<String> commandLine,
                                 PrintStream out) throws Exception {
        Specs.validate(spec);
        Inputs in = inputs(spec, options);
        RunDirectory run = RunDirectory.createAt(runDir, spec);
        return execute(spec, in, run, null, commandLine, out);
    }

    /** Continues the run in {@code dir}; {@code overrides} may raise {@code train.epochs} to train longer. */
    public static Result resume(Path dir, List<String> overrides, List<String> commandLine, PrintStream out) throws Exception {
        return resume(dir, overrides, BackendOptions.defaults(), commandLine, out);
    }

    /** Continues the run in {@code dir} on a backend created with {@code options}. */
    public static Result resume(Path dir, List<String> overrides, BackendOptions options, List<String> commandLine,
                                PrintStream out) throws Exception {
        RunDirectory run = RunDirectory.open(dir);
        ExperimentSpec spec = Specs.override(run.readSpec(), overrides);
        Specs.validate(spec);
        Checkpoint.Loaded ck = Checkpoint.load(run.checkpoints().resolve("last.safetensors"));
        if (ck.progress() == null || ck.optimizerFile() == null) {
            throw new IllegalArgumentException(ck.weightsFile() + ": not a training checkpoint (no progress or optimizer state)");
        }
        Inputs in = inputs(spec, options);
        run.writeSpec(spec);
        return execute(spec, in, run, ck, commandLine, out);
    }

    /** The model configuration a spec gives on a dataset of this shape. */
    public static ModelConfig modelConfig(ExperimentSpec spec, ImageDataset data) {
        if (data.height() != data.width()) {
            throw new IllegalArgumentException(data.name() + ": images are " + data.height() + "×" + data.width()
                    + "; the models take square images");
        }
        return spec.model().configure(data.channels(), data.height());
    }

    /** Opens a dataset split of the spec, honouring its limits. */
    public static ImageDataset dataset(ExperimentSpec spec, Split split) {
        DataSpec d = spec.data();
        ImageDataset ds = Datasets.open(d.dataset(), d.root() == null ? null : Path.of(d.root()), split);
        Integer limit = split == Split.TRAIN ? d.trainLimit() : d.testLimit();
        return limit == null ? ds : Datasets.firstN(ds, Math.min(limit, ds.size()));
    }

    /** The backend of the spec's {@code run.device}, with the spec's thread count ({@code run.threads}, 0: all cores). */
    public static Backend backend(ExperimentSpec spec, BackendOptions options) {
        return Backends.select(spec.run().device(), options.withThreads(spec.run().threads()));
    }

    /** {@link #backend(ExperimentSpec, BackendOptions)} with the default options. */
    public static Backend backend(ExperimentSpec spec) {
        return backend(spec, BackendOptions.defaults());
    }

    /** The backend and the two dataset splits of a spec. */
    private record Inputs(Backend backend, ImageDataset train, ImageDataset test) {}

    private static Inputs inputs(ExperimentSpec spec, BackendOptions options) {
        return new Inputs(backend(spec, options), dataset(spec, Split.TRAIN), dataset(spec, Split.TEST));
    }

    private static Result execute(ExperimentSpec spec, Inputs in, RunDirectory run, Checkpoint.Loaded ck,
                                  List<String> commandLine, PrintStream out) throws Exception {
        Rng root = new Rng(spec.run().seed());
        Rng init = root.fork();
        Rng trainRng = root.fork();
        ModelConfig config = modelConfig(spec, in.train());
        // the model's and the optimizer's memory is released when the run ends, however it ends
        try (GenerativeModel model = spec.model().modelType().create(in.backend(), config, init);
             AdamW optimizer = AdamW.forModel(model, spec.train().optimizer())) {
            return fit(spec, in, run, ck, commandLine, out, model, optimizer, trainRng);
        }
    }

    private static Result fit(ExperimentSpec spec, Inputs in, RunDirectory run, Checkpoint.Loaded ck,
                                  List<String> commandLine, PrintStream out, GenerativeModel model, AdamW optimizer,
                                  Rng trainRng) throws Exception {
        Backend be = in.backend();
        TrainSpec t = spec.train();
        ImageDataset trainSet = in.train();
        ImageDataset testSet = in.test();
        int firstEpoch = 1;
        long steps = 0;
        MetricsLog metrics = new MetricsLog(run.metricsCsv(), run.metricsJsonl(), run.root().resolve("steps.csv"), t.logEvery());
        if (ck != null) {
            Checkpoint.loadInto(model, ck);
            Checkpoint.loadInto(optimizer, ck);
            firstEpoch = ck.progress().epoch() + 1;
            steps = ck.progress().step();
            trainRng = new Rng(ck.progress().rngSeed(), ck.progress().rngCounter());
            metrics.truncateAfter(ck.progress().epoch(), steps);
        }
        EnvInfo.write(run.envFile(), EnvInfo.collect(be, spec.run().seed(), commandLine));
        out.printf(Locale.ROOT, "%s %s on %s: %,d parameters, train %,d images (%s), test %,d images, %s%n",
                ck == null ? "training" : "resuming", spec.name(), be.description(), model.parameterCount(),
                trainSet.size(), trainSet.name(), testSet.size(), ck == null ? "run " + run.root()
                        : "from epoch " + (firstEpoch - 1) + " in " + run.root());
        if (Backends.lastAutoNote() != null) {
            out.println(Backends.lastAutoNote());
        }
        if (firstEpoch > t.epochs()) {
            out.printf("nothing to do: the run already finished %d of train.epochs=%d (raise it to train longer)%n",
                    firstEpoch - 1, t.epochs());
        }
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        for (Map<String, Double> row : metrics.epochRows()) {
            double loss = row.getOrDefault("test_loss", Double.NaN);
            if (loss < bestLoss) {
                bestLoss = loss;
                bestEpoch = row.get("epoch").intValue();
            }
        }
        CheckpointWriter checkpoints = new CheckpointWriter(run.checkpoints(), Specs.toYaml(spec), bestLoss, bestEpoch);
        Evaluator evaluator = new Evaluator(testSet, spec.data().testBatchSize(), spec.run().seed());
        List<TrainListener> listeners = new ArrayList<>();
        listeners.add(ProgressBar.forConsole(out));
        listeners.add(metrics);
        listeners.add(checkpoints);
        listeners.add(new SampleGrids(run.samples(), testSet, t.sampleCount(), spec.run().seed()));
        listeners.add(new LossCurve(run.plots().resolve("loss.png"), metrics, model.type() + " training loss"));
        Double untrained = null;
        if (ck == null) {
            untrained = evaluator.evaluate(model, 0).mse();
            out.printf(Locale.ROOT, "untrained model: test mse %.5f%n", untrained);
        } else if (Files.exists(run.summaryFile())) { // keep the first session's figure
            JsonNode old = JSON.readTree(run.summaryFile().toFile()).path("untrained_test_mse");
            untrained = old.isNumber() ? old.asDouble() : null;
        }
        long started = System.nanoTime();
        String status = "failed"; // until training returns
        String error = null;
        // CelebA decodes a JPEG per image (about 1 ms): several readers keep a GPU fed; the others read bytes.
        int readers = spec.data().dataset().equals("celeba") ? Math.max(1, Runtime.getRuntime().availableProcessors() / 2) : 1;
        try (DataLoader loader = new DataLoader(trainSet, t.batchSize(), true, spec.data().dropLast(),
                Datasets.trainsWithFlip(spec.data().dataset()), spec.run().seed(), readers)) {
            Trainer trainer = new Trainer(new TrainingStep(model, optimizer), loader, evaluator, listeners);
            trainer.fit(firstEpoch, t.epochs(), steps, trainRng);
            status = "completed";
        } catch (TrainingDivergedException e) {
            status = "diverged";
            Path last = checkpoints.lastCheckpoint();
            error = e.getMessage() + (Files.exists(last) ? "; the last good checkpoint is " + last
                    + " (resume with --resume " + run.root() + ")" : "; no checkpoint had been written yet");
        } catch (Exception | Error e) {
            error = String.valueOf(e.getMessage());
            throw e;
        } finally {
            writeSummary(run, spec, model, metrics, checkpoints, status, error, untrained, (System.nanoTime() - started) / 1e9);
        }
        if (status.equals("diverged")) {
            throw new IllegalStateException(error);
        }
        Map<String, Double> lastRow = metrics.lastEpochRow();
        EvalResult last = lastRow == null ? null : testResult(lastRow);
        out.println("run directory: " + run.root());
        out.println("  reconstructions: " + run.samples().resolve("latest-reconstructions.png"));
        out.println("  samples:         " + run.samples().resolve("latest-samples.png"));
        out.println("  loss curve:      " + run.plots().resolve("loss.png"));
        out.println("  summary:         " + run.summaryFile());
        return new Result(run, lastRow == null ? 0 : lastRow.get("epoch").intValue(), last, checkpoints.lastCheckpoint(),
                untrained);
    }

    /** The test figures of a metrics row: its {@code test_*} columns. */
    private static EvalResult testResult(Map<String, Double> row) {
        Map<String, Double> values = new LinkedHashMap<>();
        row.forEach((k, v) -> {
            if (k.startsWith("test_") && !k.equals("test_images")) {
                values.put(k.substring("test_".length()), v);
            }
        });
        return new EvalResult(row.getOrDefault("test_images", 0.0).intValue(), values);
    }

    private static void writeSummary(RunDirectory run, ExperimentSpec spec, GenerativeModel model, MetricsLog metrics,
                                     CheckpointWriter checkpoints, String status, String error, Double untrained,
                                     double seconds) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", spec.name());
        s.put("status", status);
        if (error != null) {
            s.put("error", error);
        }
        s.put("model", spec.model().type());
        s.put("dataset", spec.data().dataset());
        s.put("parameters", model.parameterCount());
        if (untrained != null) {
            s.put("untrained_test_mse", untrained);
        }
        Map<String, Double> r = metrics.lastEpochRow();
        s.put("epochs_completed", r == null ? 0 : r.get("epoch").intValue());
        s.put("seconds_this_session", Math.round(seconds * 10) / 10.0);
        if (r != null) {
            Map<String, Object> fin = new LinkedHashMap<>();
            fin.put("test_mse", r.get("test_mse"));
            fin.put("test_loss", r.get("test_loss"));
            r.forEach((k, v) -> {
                if (k.startsWith("test_") && !k.equals("test_images")) {
                    fin.putIfAbsent(k, v);
                }
            });
            fin.put("test_images", r.getOrDefault("test_images", 0.0).intValue());
            fin.put("train_loss", r.get("train_loss"));
            fin.put("images_per_s", r.get("images_per_s"));
            s.put("final", fin);
            s.put("best_epoch", checkpoints.bestEpoch());
            s.put("best_test_loss", checkpoints.bestLoss());
        }
        s.put("checkpoint", run.root().relativize(checkpoints.lastCheckpoint()).toString());
        AtomicFiles.writeString(run.summaryFile(), JSON.writeValueAsString(s));
    }
}
