package dev.spikevae.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row per epoch in {@code metrics.csv} and {@code metrics.jsonl}, and one row per {@code every} steps in
 * {@code steps.csv}. On resume, rows beyond the checkpoint are dropped first, so the files describe exactly
 * the run that continues.
 */
public final class MetricsLog implements TrainListener {
    static final String EPOCH_HEADER = "epoch,step,train_loss,train_mse,train_mmd,train_images,seconds,images_per_s,"
            + "test_loss,test_mse,test_mmd,test_rate_post,test_rate_prior,test_images";
    static final String STEP_HEADER = "step,epoch,loss,mse,mmd";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path csv;
    private final Path jsonl;
    private final Path steps;
    private final int every;
    private final List<double[]> epochRows = new ArrayList<>();
    private final List<double[]> stepRows = new ArrayList<>();

    public MetricsLog(Path csv, Path jsonl, Path steps, int every) {
        this.csv = csv;
        this.jsonl = jsonl;
        this.steps = steps;
        this.every = Math.max(1, every);
    }

    /** Keeps only rows up to {@code epoch} / {@code step} (what the checkpoint being resumed has seen). */
    public void truncateAfter(int epoch, long step) throws IOException {
        keepWhile(csv, true, line -> Double.parseDouble(line.split(",", 2)[0]) <= epoch);
        keepWhile(jsonl, false, line -> JSON.readTree(line).path("epoch").asInt() <= epoch);
        keepWhile(steps, true, line -> Double.parseDouble(line.split(",", 2)[0]) <= step);
        for (String line : dataLines(csv, true)) {
            epochRows.add(parse(line));
        }
        for (String line : dataLines(steps, true)) {
            stepRows.add(parse(line));
        }
    }

    /** Epoch rows so far: the columns of {@link #EPOCH_HEADER}. */
    public List<double[]> epochRows() {
        return epochRows;
    }

    /** Step rows so far: step, epoch, loss, mse, mmd. */
    public List<double[]> stepRows() {
        return stepRows;
    }

    @Override
    public void onBatchEnd(TrainContext c, StepMetrics s) throws IOException {
        if (c.step() % every == 0 || c.batch() == c.batchesPerEpoch()) {
            double[] row = {c.step(), c.epoch(), s.loss(), s.mse(), s.mmd()};
            stepRows.add(row);
            append(steps, STEP_HEADER, String.format(Locale.ROOT, "%d,%d,%.8g,%.8g,%.8g", c.step(), c.epoch(), s.loss(),
                    s.mse(), s.mmd()));
        }
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) throws IOException {
        EvalResult t = m.test();
        double[] row = {m.epoch(), m.step(), m.trainLoss(), m.trainMse(), m.trainMmd(), m.trainImages(), m.seconds(),
                m.imagesPerSecond(), t.loss(), t.mse(), t.mmd(), t.ratePosterior(), t.ratePrior(), t.images()};
        epochRows.add(row);
        append(csv, EPOCH_HEADER, String.format(Locale.ROOT, "%d,%d,%.8g,%.8g,%.8g,%d,%.3f,%.2f,%.8g,%.8g,%.8g,%.6f,%.6f,%d",
                m.epoch(), m.step(), m.trainLoss(), m.trainMse(), m.trainMmd(), m.trainImages(), m.seconds(),
                m.imagesPerSecond(), t.loss(), t.mse(), t.mmd(), t.ratePosterior(), t.ratePrior(), t.images()));
        ObjectNode j = JSON.createObjectNode();
        String[] names = EPOCH_HEADER.split(",");
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals("epoch") || names[i].equals("step") || names[i].endsWith("images")) {
                j.put(names[i], (long) row[i]);
            } else {
                j.put(names[i], row[i]);
            }
        }
        append(jsonl, null, JSON.writeValueAsString(j));
    }

    private static void append(Path file, String header, String line) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (header != null && (!Files.exists(file) || Files.size(file) == 0)) {
            sb.append(header).append('\n');
        }
        sb.append(line).append('\n');
        Files.writeString(file, sb, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    private interface LineTest {
        boolean keep(String line) throws IOException;
    }

    private static void keepWhile(Path file, boolean hasHeader, LineTest test) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            boolean header = hasHeader && i == 0;
            boolean keep;
            try {
                keep = header || test.keep(line);
            } catch (IOException | RuntimeException e) {
                keep = false; // a line cut short by a killed run
            }
            if (keep) {
                sb.append(line).append('\n');
            }
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static List<String> dataLines(Path file, boolean hasHeader) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        if (hasHeader && !lines.isEmpty()) {
            lines.remove(0);
        }
        lines.removeIf(String::isBlank);
        return lines;
    }

    private static double[] parse(String line) {
        String[] f = line.split(",");
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Double.parseDouble(f[i]);
        }
        return out;
    }
}
