package dev.spikevae.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.spikevae.data.DataLoader;
import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.model.Esvae;
import dev.spikevae.model.EsvaeConfig;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import dev.spikevae.tensor.DType;
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
 * Runs one ESVAE training spec end to end: backend, data, model, AdamW groups, run directory, listeners,
 * the trainer, and {@code summary.json}. A run is resumed from its directory: the resolved spec in
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
        Specs.validate(spec);
        Inputs in = inputs(spec); // data and device problems surface before a run folder exists
        RunDirectory run = RunDirectory.create(spec, Clock.systemDefaultZone());
        return execute(spec, in, run, null, commandLine, out);
    }

    /** Continues the run in {@code dir}; {@code overrides} may raise {@code train.epochs} to train longer. */
    public static Result resume(Path dir, List<String> overrides, List<String> commandLine, PrintStream out) throws Exception {
        RunDirectory run = RunDirectory.open(dir);
        ExperimentSpec spec = Specs.override(run.readSpec(), overrides);
        Specs.validate(spec);
        Checkpoint.Loaded ck = Checkpoint.load(run.checkpoints().resolve("last.safetensors"));
        if (ck.progress() == null || ck.optimizer() == null) {
            throw new IllegalArgumentException(ck.weightsFile() + ": not a training checkpoint (no progress or optimizer state)");
        }
        Inputs in = inputs(spec);
        run.writeSpec(spec);
        return execute(spec, in, run, ck, commandLine, out);
    }

    /** The model configuration a spec gives on a dataset of this shape. */
    public static EsvaeConfig modelConfig(ExperimentSpec spec, ImageDataset data) {
        ModelSpec m = spec.model();
        if (!m.type().equals("esvae")) {
            throw new IllegalArgumentException("model.type: '" + m.type() + "' is not built yet (expected esvae)");
        }
        EsvaeConfig base = EsvaeConfig.of(data.channels(), data.height(), m.latent());
        DType spikes = m.spikeStorage().equalsIgnoreCase("f32") ? DType.F32 : DType.U8;
        return new EsvaeConfig(base.inChannels(), base.imageSize(), base.latent(), m.timesteps(), base.lif(), spikes);
    }

    /** Opens a dataset split of the spec, honouring its limits. */
    public static ImageDataset dataset(ExperimentSpec spec, Split split) {
        DataSpec d = spec.data();
        ImageDataset ds = Datasets.open(d.dataset(), d.root() == null ? null : Path.of(d.root()), split);
        Integer limit = split == Split.TRAIN ? d.trainLimit() : d.testLimit();
        return limit == null ? ds : Datasets.firstN(ds, Math.min(limit, ds.size()));
    }

    /** Selects the backend of the spec ({@code run.threads} > 0 sets the CPU thread count first). */
    public static Backend backend(ExperimentSpec spec) {
        if (spec.run().threads() > 0) {
            System.setProperty("spikevae.threads", Integer.toString(spec.run().threads()));
        }
        return Backends.select(spec.run().device());
    }

    /** The two AdamW groups of docs/reference.md §5: the prior at lr × prior_lr_scale, everything else at lr. */
    public static AdamW optimizer(Esvae model, TrainSpec t) {
        Map<String, Parameter> prior = new LinkedHashMap<>();
        Map<String, Parameter> rest = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            (model.isPriorParameter(e.getKey()) ? prior : rest).put(e.getKey(), e.getValue());
        }
        return new AdamW(List.of(new AdamW.Group("backbone", rest, t.lr(), t.weightDecay()),
                new AdamW.Group("sample_layer", prior, t.lr() * t.priorLrScale(), t.weightDecay())),
                t.beta1(), t.beta2(), t.eps());
    }

    /** The backend and the two dataset splits of a spec. */
    private record Inputs(Backend backend, ImageDataset train, ImageDataset test) {}

    private static Inputs inputs(ExperimentSpec spec) {
        return new Inputs(backend(spec), dataset(spec, Split.TRAIN), dataset(spec, Split.TEST));
    }

    private static Result execute(ExperimentSpec spec, Inputs in, RunDirectory run, Checkpoint.Loaded ck,
                                  List<String> commandLine, PrintStream out) throws Exception {
        Backend be = in.backend();
        TrainSpec t = spec.train();
        ImageDataset trainSet = in.train();
        ImageDataset testSet = in.test();
        Rng root = new Rng(spec.run().seed());
        Rng init = root.fork();
        Rng trainRng = root.fork();
        EsvaeConfig config = modelConfig(spec, trainSet);
        Esvae model = Esvae.create(be, config, init);
        AdamW optimizer = optimizer(model, t);
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
        EnvInfo.write(run.envFile(), EnvInfo.collect(be.description(), spec.run().seed(), commandLine));
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
        for (double[] row : metrics.epochRows()) {
            if (row[8] < bestLoss) {
                bestLoss = row[8];
                bestEpoch = (int) row[0];
            }
        }
        CheckpointWriter checkpoints = new CheckpointWriter(run.checkpoints(), Specs.toYaml(spec), bestLoss, bestEpoch);
        Evaluator evaluator = new Evaluator(testSet, spec.data().testBatchSize(), (float) t.lambda(), spec.run().seed());
        List<TrainListener> listeners = new ArrayList<>();
        listeners.add(ProgressBar.forConsole(out));
        listeners.add(metrics);
        listeners.add(checkpoints);
        listeners.add(new SampleGrids(run.samples(), testSet, t.sampleCount(), spec.run().seed()));
        listeners.add(new LossCurve(run.plots().resolve("loss.png"), metrics));
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
            Trainer trainer = new Trainer(model, optimizer, loader, evaluator, (float) t.lambda(), listeners);
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
        List<double[]> rows = metrics.epochRows();
        EvalResult last = null;
        if (!rows.isEmpty()) {
            double[] r = rows.get(rows.size() - 1);
            last = new EvalResult((int) r[13], r[9], r[10], r[8], r[11], r[12]);
        }
        out.println("run directory: " + run.root());
        out.println("  reconstructions: " + run.samples().resolve("latest-reconstructions.png"));
        out.println("  samples:         " + run.samples().resolve("latest-samples.png"));
        out.println("  loss curve:      " + run.plots().resolve("loss.png"));
        out.println("  summary:         " + run.summaryFile());
        return new Result(run, rows.isEmpty() ? 0 : (int) rows.get(rows.size() - 1)[0], last, checkpoints.lastCheckpoint(),
                untrained);
    }

    private static void writeSummary(RunDirectory run, ExperimentSpec spec, Esvae model, MetricsLog metrics,
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
        List<double[]> rows = metrics.epochRows();
        s.put("epochs_completed", rows.isEmpty() ? 0 : (int) rows.get(rows.size() - 1)[0]);
        s.put("seconds_this_session", Math.round(seconds * 10) / 10.0);
        if (!rows.isEmpty()) {
            double[] r = rows.get(rows.size() - 1);
            Map<String, Object> fin = new LinkedHashMap<>();
            fin.put("test_mse", r[9]);
            fin.put("test_loss", r[8]);
            fin.put("test_mmd", r[10]);
            fin.put("test_rate_post", r[11]);
            fin.put("test_rate_prior", r[12]);
            fin.put("train_loss", r[2]);
            fin.put("images_per_s", r[7]);
            s.put("final", fin);
            s.put("best_epoch", checkpoints.bestEpoch());
            s.put("best_test_loss", checkpoints.bestLoss());
        }
        s.put("checkpoint", run.root().relativize(checkpoints.lastCheckpoint()).toString());
        AtomicFiles.writeString(run.summaryFile(), JSON.writeValueAsString(s));
    }
}
