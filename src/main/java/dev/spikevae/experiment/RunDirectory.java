package dev.spikevae.experiment;

import dev.spikevae.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The folder of one run, {@code <output>/<name>/<yyyyMMdd-HHmmss>-<model>-<dataset>/}, holding the resolved
 * spec ({@code config.yaml}), the environment ({@code env.json}), metrics ({@code metrics.csv},
 * {@code metrics.jsonl}), {@code checkpoints/}, {@code samples/}, {@code plots/} and {@code summary.json}.
 * Creating one writes {@code config.yaml}, so every run folder says how to run it again.
 */
public final class RunDirectory {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path root;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /** Creates a new run folder under the spec's own runs root, {@code run.output}; see {@link #create(Path, ExperimentSpec, Clock)}. */
    public static RunDirectory create(ExperimentSpec spec, Clock clock) throws IOException {
        Specs.validate(spec);
        return create(Path.of(spec.run().output()), spec, clock);
    }

    /**
     * Creates a new run folder for the spec and writes its {@code config.yaml}. The time stamp is the clock's
     * local time; two runs started in the same second get {@code -2}, {@code -3}, ... appended, and because
     * each folder is claimed by an atomic create, this holds across processes too.
     */
    public static RunDirectory create(Path outputRoot, ExperimentSpec spec, Clock clock) throws IOException {
        Specs.validate(spec);
        Path parent = outputRoot.resolve(spec.name());
        Files.createDirectories(parent);
        String base = LocalDateTime.now(clock).format(STAMP) + "-" + spec.model().type() + "-" + spec.data().dataset();
        Path dir = null;
        for (int n = 1; dir == null; n++) {
            Path candidate = parent.resolve(n == 1 ? base : base + "-" + n);
            try {
                dir = Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException taken) {
                // another run started in the same second: try the next suffix
            }
        }
        RunDirectory run = new RunDirectory(dir);
        run.createSubfolders();
        run.writeSpec(spec);
        return run;
    }

    /**
     * Creates the run folder {@code dir} itself (a sweep names its runs' folders) and writes its {@code config.yaml};
     * the folder must not hold a run already.
     */
    public static RunDirectory createAt(Path dir, ExperimentSpec spec) throws IOException {
        Specs.validate(spec);
        if (Files.exists(dir.resolve("config.yaml"))) {
            throw new FileAlreadyExistsException(dir + " already holds a run (config.yaml)");
        }
        Files.createDirectories(dir);
        RunDirectory run = new RunDirectory(dir);
        run.createSubfolders();
        run.writeSpec(spec);
        return run;
    }

    /** An existing run folder (for resuming); it must hold a {@code config.yaml}. Nothing is created in it. */
    public static RunDirectory open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("run directory " + dir + " does not exist or is not a directory");
        }
        if (!Files.isRegularFile(dir.resolve("config.yaml"))) {
            throw new IllegalArgumentException("run directory " + dir + " has no config.yaml; is it a spikevae run folder?");
        }
        return new RunDirectory(dir);
    }

    /** Creates {@code checkpoints/}, {@code samples/} and {@code plots/} where missing. */
    void ensureSubfolders() throws IOException {
        createSubfolders();
    }

    private void createSubfolders() throws IOException {
        Files.createDirectories(checkpoints());
        Files.createDirectories(samples());
        Files.createDirectories(plots());
    }

    public Path root() {
        return root;
    }

    public Path configFile() {
        return root.resolve("config.yaml");
    }

    public Path envFile() {
        return root.resolve("env.json");
    }

    public Path metricsCsv() {
        return root.resolve("metrics.csv");
    }

    public Path metricsJsonl() {
        return root.resolve("metrics.jsonl");
    }

    public Path summaryFile() {
        return root.resolve("summary.json");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path samples() {
        return root.resolve("samples");
    }

    public Path plots() {
        return root.resolve("plots");
    }

    /** The spec in {@code config.yaml}; a bad file gives a {@link SpecException} naming it. */
    public ExperimentSpec readSpec() throws IOException {
        if (!Files.isRegularFile(configFile())) {
            throw new IOException("run directory " + root + " has no config.yaml");
        }
        return Specs.load(configFile());
    }

    /** Replaces {@code config.yaml} with the resolved spec, atomically. */
    public void writeSpec(ExperimentSpec spec) throws IOException {
        AtomicFiles.writeString(configFile(), Specs.toYaml(spec));
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
