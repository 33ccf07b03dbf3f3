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
import dev.spikevae.train.PeriodicEvaluation;
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
        try (RunLock lock = RunLock.acquire(run.root())) {
            return execute(spec, in, run, null, commandLine, out);
        }
    }

    /** A fresh run of {@code spec} in the folder {@code runDir} (a sweep's runs live in folders it names). */
    public static Result trainIn(Path runDir, ExperimentSpec spec, BackendOptions options, List<String> commandLine,
                                 PrintStream out) throws Exception {
        Specs.validate(spec);
        Inputs in = inputs(spec, options);
        RunDirectory run = RunDirectory.createAt(runDir, spec);
        try (RunLock lock = RunLock.acquire(run.root())) {
            return execute(spec, in, run, null, commandLine, out);
        }
    }

    /** Continues the run in {@code dir}; {@code overrides} may raise {@code train.epochs} to train longer. */
    public static Result resume(Path dir, List<String> overrides, List<String> commandLine, PrintStream out) throws Exception {
        return resume(dir, overrides, BackendOptions.defaults(), commandLine, out);
    }

    /**
     * Continues the run in {@code dir} on a backend created with {@code options}. Nothing in the folder changes
     * until the overridden spec, the checkpoint and the data have been checked and the checkpoint has been loaded
     * into the model and the optimizer; the run's lock is held throughout.
     */
    public static Result resume(Path dir, List<String> overrides, BackendOptions options, List<String> commandLine,
                                PrintStream out) throws Exception {
        RunDirectory run = RunDirectory.open(dir);
        ExperimentSpec spec = Specs.override(run.readSpec(), overrides);
        Specs.validate(spec);
        try (RunLock lock = RunLock.acquire(run.root())) {
            if (lock.staleHolder() != null) {
                out.println("note: " + run.root() + " was held by " + lock.staleHolder()
                        + ", which ended without releasing it; taking it over");
            }
            int cleaned = cleanTempFiles(run);
            if (cleaned > 0) {
                out.printf("note: removed %d file(s) left by an interrupted write%n", cleaned);
            }
            if (!Checkpoint.exists(run.checkpoints())) {
                throw new IllegalArgumentException("run directory " + run.root() + ": no epoch has finished yet, so there is "
                        + "nothing to resume (no checkpoint in " + run.checkpoints() + "); start it again with train --spec "
                        + run.configFile());
            }
            Checkpoint.Loaded ck = Checkpoint.load(run.checkpoints());
            if (ck.progress() == null || ck.optimizerFile() == null) {
                throw new IllegalArgumentException(ck.weightsFile() + ": not a training checkpoint (no progress or optimizer state)");
            }
            Inputs in = inputs(spec, options);
            return execute(spec, in, run, ck, commandLine, out);
        }
    }

    /**
     * Removes the temp files of interrupted atomic writes and the checkpoint files no sidecar names, anywhere in
     * the run folder; returns how many.
     */
    static int cleanTempFiles(RunDirectory run) throws IOException {
        int n = 0;
        for (Path d : new Path[] {run.root(), run.checkpoints(), run.samples(), run.plots()}) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (java.util.stream.Stream<Path> s = Files.list(d)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (AtomicFiles.isTempName(p.getFileName().toString()) && Files.isRegularFile(p)) {
                        Files.deleteIfExists(p);
                        n++;
                    }
                }
            }
        }
        n += Checkpoint.removeUncommitted(run.checkpoints(), "last");
        n += Checkpoint.removeUncommitted(run.checkpoints(), "best");
        return n;
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
        ImageDataset train = dataset(spec, Split.TRAIN);
        int batch = spec.train().batchSize();
        if (spec.data().dropLast() && batch > train.size()) {
            throw new IllegalArgumentException("train.batch_size=" + batch + " is larger than the training set ("
                    + train.size() + " images" + (spec.data().trainLimit() == null ? "" : ", data.train_limit="
                    + spec.data().trainLimit()) + "): with data.drop_last=true no batch would be trained; lower "
                    + "train.batch_size or raise data.train_limit");
        }
        ImageDataset test = dataset(spec, Split.TEST);
        Backend backend = backend(spec, options);
        PeriodicEvaluation periodic = periodic(spec, test);
        if (periodic.active()) {
            try {
                periodic.checkFiles(backend); // a missing weights or statistics file fails before the run folder exists
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return new Inputs(backend, train, test);
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
            // everything is checked before anything in the folder changes: a refused resume leaves the run as it was
            Checkpoint.loadInto(model, ck);
            Checkpoint.loadInto(optimizer, ck);
            firstEpoch = ck.progress().epoch() + 1;
            steps = ck.progress().step();
            trainRng = new Rng(ck.progress().rngSeed(), ck.progress().rngCounter());
            run.ensureSubfolders();
            run.writeSpec(spec);
            for (String note : metrics.truncateAfter(ck.progress().epoch(), steps)) {
                out.println("note: " + note);
            }
        }
        Map<String, Object> env = EnvInfo.collect(be, spec.run().seed(), commandLine);
        EnvInfo.write(run.envFile(), env);
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
        Evaluator evaluator = new Evaluator(testSet, spec.data().testBatchSize(), spec.run().seed())
                .withProgress(out, System.console() != null);
        PeriodicEvaluation periodic = periodic(spec, testSet);
        if (periodic.active()) {
            periodic.checkModel(model); // before an epoch is trained
        }
        List<TrainListener> listeners = new ArrayList<>();
        listeners.add(ProgressBar.forConsole(out));
        listeners.add(metrics);
        listeners.add(checkpoints);
        listeners.add(new SampleGrids(run.samples(), testSet, t.sampleCount(), spec.run().seed()));
        listeners.add(new LossCurve(run.plots().resolve("loss.png"), metrics, model.type() + " training loss"));
        Summary summary = new Summary(run, spec, model.parameterCount(), metrics, env, firstEpoch);
        Thread onSignal = new Thread(() -> summary.finish("interrupted",
                "stopped by a signal (SIGINT/SIGTERM) during training; resume with --resume " + run.root()),
                "spikevae-summary-on-exit");
        boolean hooked = addShutdownHook(onSignal);
        // Before the untrained evaluation: the ANN VAE's kld_weight left to the data is 1 / batches per epoch.
        model.onTrainingData(Math.max(1, DataLoader.batchesPerEpoch(trainSet.size(), t.batchSize(), spec.data().dropLast())));
        if (ck == null) {
            summary.untrained = evaluator.evaluate(model, 0).mse();
            out.printf(Locale.ROOT, "untrained model: test mse %.5f%n", summary.untrained);
        }
        summary.write("running", null);
        String status = "failed"; // until training returns
        String error = null;
        // CelebA decodes a JPEG per image (about 1 ms): several readers keep a GPU fed; the others read bytes.
        int readers = spec.data().dataset().equals("celeba") ? Math.max(1, Runtime.getRuntime().availableProcessors() / 2) : 1;
        try (DataLoader loader = new DataLoader(trainSet, t.batchSize(), true, spec.data().dropLast(),
                Datasets.trainsWithFlip(spec.data().dataset()), spec.run().seed(), readers)) {
            Trainer trainer = new Trainer(new TrainingStep(model, optimizer), loader, evaluator, listeners,
                    periodic.active() ? periodic : null);
            trainer.fit(firstEpoch, t.epochs(), steps, trainRng);
            status = "completed";
        } catch (TrainingDivergedException e) {
            status = "diverged";
            Path last = Checkpoint.exists(run.checkpoints()) ? run.checkpoints().resolve("last.json") : null;
            error = e.getMessage() + (last != null ? "; the last good checkpoint is " + last
                    + " (resume with --resume " + run.root() + " and a lower learning rate, e.g. train.lr="
                    + lowerLr(spec) + ": resuming unchanged diverges again at the same step)"
                    : "; no checkpoint had been written yet (start again with a lower learning rate, e.g. train.lr="
                    + lowerLr(spec) + ")");
        } catch (Exception | Error e) {
            error = String.valueOf(e.getMessage());
            throw e;
        } finally {
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or about to: it writes the summary
                }
            }
            summary.finish(status, error);
        }
        if (status.equals("diverged")) {
            throw new IllegalStateException(error);
        }
        Map<String, Double> lastRow = metrics.lastEpochRow();
        EvalResult last = lastRow == null ? null : testResult(lastRow);
        String statsNote = runningStatisticsNote(model, metrics);
        if (statsNote != null) {
            out.println(statsNote);
        }
        out.println("run directory: " + run.root());
        out.println("  reconstructions: " + run.samples().resolve("latest-reconstructions.png"));
        out.println("  samples:         " + run.samples().resolve("latest-samples.png"));
        out.println("  loss curve:      " + run.plots().resolve("loss.png"));
        out.println("  summary:         " + run.summaryFile());
        Path lastWeights = checkpoints.lastCheckpoint() != null ? checkpoints.lastCheckpoint()
                : ck != null ? ck.weightsFile() : null;
        return new Result(run, lastRow == null ? 0 : lastRow.get("epoch").intValue(), last, lastWeights,
                summary.untrained);
    }

    /** The metrics of the spec's eval section besides the test pass. */
    static PeriodicEvaluation periodic(ExperimentSpec spec, ImageDataset testSet) {
        EvalSpec e = spec.eval() == null ? EvalSpec.DEFAULT : spec.eval();
        return new PeriodicEvaluation(new PeriodicEvaluation.Settings(e.metrics(), e.every(), spec.data().dataset(),
                e.isModel() == null ? null : Path.of(e.isModel()), e.isSplits(), e.isBatch(),
                e.fidModel() == null ? null : Path.of(e.fidModel()), e.fidStats() == null ? null : Path.of(e.fidStats()),
                e.fidSamples(), e.fadBatches()), testSet, spec.data().testBatchSize(), spec.run().seed());
    }

    /** Batches the batch-norm running statistics need before eval mode means much (momentum 0.1: 0.9^30 ≈ 4%). */
    static final int RUNNING_STATISTICS_BATCHES = 30;

    /**
     * A warning when the model keeps batch-norm running statistics and training has taken fewer than
     * {@link #RUNNING_STATISTICS_BATCHES} steps: eval-mode figures and grids then still mostly show the initial
     * statistics (rates near 0, uniform grey reconstructions). Null when there is nothing to warn about.
     */
    static String runningStatisticsNote(GenerativeModel model, MetricsLog metrics) {
        Map<String, Double> last = metrics.lastEpochRow();
        if (last == null || model.stateDict().keySet().stream().noneMatch(k -> k.contains("running_mean"))) {
            return null;
        }
        long steps = last.getOrDefault("step", 0.0).longValue();
        if (steps >= RUNNING_STATISTICS_BATCHES) {
            return null;
        }
        return "note: the batch-norm running statistics have seen only " + steps + " batch(es); eval-mode figures and "
                + "grids mean little before about " + RUNNING_STATISTICS_BATCHES + " (train more epochs, use more images, "
                + "or lower train.batch_size)";
    }

    /** A tenth of the spec's learning rate, as an override value. */
    private static String lowerLr(ExperimentSpec spec) {
        return String.format(Locale.ROOT, "%.3g", spec.train().optimizer().lr() / 10);
    }

    private static boolean addShutdownHook(Thread t) {
        try {
            Runtime.getRuntime().addShutdownHook(t);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
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

    /**
     * {@code summary.json}: what is on disk (the checkpoints' own epochs, not what training hoped to write), the
     * figures of the last checkpointed epoch, and one entry per session (start, end, command, host, versions,
     * outcome), so a run folder tells its whole story. It is written when a session starts ({@code running}), when
     * it ends, and on SIGINT/SIGTERM ({@code interrupted}).
     */
    private static final class Summary {
        private final RunDirectory run;
        private final ExperimentSpec spec;
        private final long parameters;
        private final MetricsLog metrics;
        private final List<JsonNode> previousSessions = new ArrayList<>();
        private final Map<String, Object> session = new LinkedHashMap<>();
        private final long startNanos = System.nanoTime();
        private double previousSeconds;
        private boolean finished;
        Double untrained;

        Summary(RunDirectory run, ExperimentSpec spec, long parameters, MetricsLog metrics, Map<String, Object> env,
                int firstEpoch) {
            this.run = run;
            this.spec = spec;
            this.parameters = parameters;
            this.metrics = metrics;
            if (Files.exists(run.summaryFile())) {
                try {
                    JsonNode old = JSON.readTree(run.summaryFile().toFile());
                    JsonNode u = old.path("untrained_test_mse");
                    untrained = u.isNumber() ? u.asDouble() : null;
                    if (old.path("sessions").isArray()) {
                        old.get("sessions").forEach(previousSessions::add);
                        for (JsonNode sn : previousSessions) {
                            previousSeconds += sn.path("seconds").asDouble(0);
                        }
                    } else if (old.isObject()) { // a summary from before sessions were kept
                        Map<String, Object> earlier = new LinkedHashMap<>();
                        earlier.put("outcome", old.path("status").asText("unknown"));
                        earlier.put("seconds", old.path("seconds_this_session").asDouble(0));
                        previousSeconds += old.path("seconds_this_session").asDouble(0);
                        previousSessions.add(JSON.valueToTree(earlier));
                    }
                } catch (IOException e) {
                    // an unreadable summary is replaced; the metrics and checkpoints still tell the story
                }
            }
            session.put("started", env.get("start_time"));
            session.put("ended", null);
            session.put("command_line", env.get("command_line"));
            session.put("host", host());
            session.put("pid", ProcessHandle.current().pid());
            session.put("spikevae_version", version());
            session.put("java_version", env.get("java_version"));
            session.put("backend", env.get("backend"));
            session.put("git_revision", env.get("git_revision"));
            session.put("first_epoch", firstEpoch);
            session.put("target_epochs", spec.train().epochs());
        }

        /** The final write of this session; later calls (a signal after the end) change nothing. */
        synchronized void finish(String status, String error) {
            if (finished) {
                return;
            }
            session.put("ended", java.time.Instant.now().toString());
            try {
                write(status, error);
            } catch (IOException | RuntimeException e) {
                System.err.println("spikevae: could not write " + run.summaryFile() + ": " + e.getMessage());
            }
            finished = true;
        }

        synchronized void write(String status, String error) throws IOException {
            if (finished) {
                return;
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            Integer lastEpoch = Checkpoint.committedEpoch(run.checkpoints(), "last");
            Integer bestEpoch = Checkpoint.committedEpoch(run.checkpoints(), "best");
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", spec.name());
            s.put("status", status);
            if (error != null) {
                s.put("error", error);
            }
            s.put("model", spec.model().type());
            s.put("dataset", spec.data().dataset());
            s.put("parameters", parameters);
            if (untrained != null) {
                s.put("untrained_test_mse", untrained);
            }
            s.put("epochs_completed", lastEpoch == null ? 0 : lastEpoch);
            s.put("seconds_this_session", Math.round(seconds * 10) / 10.0);
            s.put("seconds_total", Math.round((previousSeconds + seconds) * 10) / 10.0);
            Map<String, Double> r = lastEpoch == null ? null : row(lastEpoch);
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
            }
            if (bestEpoch != null) {
                s.put("best_epoch", bestEpoch);
                Map<String, Double> b = row(bestEpoch);
                if (b != null && b.get("test_loss") != null) {
                    s.put("best_test_loss", b.get("test_loss"));
                }
                s.put("best_checkpoint", "checkpoints/best.json");
            }
            if (lastEpoch != null) {
                s.put("checkpoint", "checkpoints/last.json");
            }
            Map<String, Object> current = new LinkedHashMap<>(session);
            current.put("outcome", status);
            current.put("last_epoch", lastEpoch == null ? 0 : lastEpoch);
            current.put("seconds", Math.round(seconds * 10) / 10.0);
            List<Object> sessions = new ArrayList<>(previousSessions);
            sessions.add(current);
            s.put("sessions", sessions);
            AtomicFiles.writeString(run.summaryFile(), JSON.writeValueAsString(s));
        }

        private Map<String, Double> row(int epoch) {
            for (Map<String, Double> r : metrics.epochRows()) {
                Double e = r.get("epoch");
                if (e != null && e.intValue() == epoch) {
                    return r;
                }
            }
            return null;
        }

        private static String host() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "unknown";
            }
        }

        private static String version() {
            String v = ExperimentRunner.class.getPackage().getImplementationVersion();
            if (v != null) {
                return v;
            }
            try (java.io.InputStream in = ExperimentRunner.class.getResourceAsStream("/dev/spikevae/version.properties")) {
                if (in != null) {
                    java.util.Properties p = new java.util.Properties();
                    p.load(in);
                    String b = p.getProperty("version");
                    if (b != null && !b.isBlank() && !b.contains("${")) {
                        return b.strip();
                    }
                }
            } catch (IOException e) {
                // fall through
            }
            return "unknown";
        }
    }
}
