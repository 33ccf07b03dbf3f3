package dev.spikevae.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.io.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row per epoch in {@code metrics.csv} and {@code metrics.jsonl} ({@link EpochMetrics#row()}), and one row per
 * {@code every} steps in {@code steps.csv} (step, epoch, then the loss and its terms). Columns are named after the
 * values, so a model's own loss terms become columns; the header is written with the first row. On resume, rows
 * beyond the checkpoint are dropped first, so the files describe exactly the run that continues.
 */
public final class MetricsLog implements TrainListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path csv;
    private final Path jsonl;
    private final Path steps;
    private final int every;
    private final List<Map<String, Double>> epochRows = new ArrayList<>();
    private final List<Map<String, Double>> stepRows = new ArrayList<>();

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
        epochRows.addAll(readRows(csv));
        stepRows.addAll(readRows(steps));
    }

    /** Epoch rows so far, by column name. */
    public List<Map<String, Double>> epochRows() {
        return Collections.unmodifiableList(epochRows);
    }

    /** Step rows so far, by column name: step, epoch, loss, then the loss terms. */
    public List<Map<String, Double>> stepRows() {
        return Collections.unmodifiableList(stepRows);
    }

    /** The last epoch row, or null before the first epoch ended. */
    public Map<String, Double> lastEpochRow() {
        return epochRows.isEmpty() ? null : epochRows.get(epochRows.size() - 1);
    }

    @Override
    public void onBatchEnd(TrainContext c, StepMetrics s) throws IOException {
        if (c.step() % every == 0 || c.batch() == c.batchesPerEpoch()) {
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("step", (double) c.step());
            row.put("epoch", (double) c.epoch());
            row.putAll(s.values());
            stepRows.add(row);
            append(steps, row);
        }
    }

    @Override
    public void onEpochEnd(TrainContext c, EpochMetrics m) throws IOException {
        Map<String, Double> row = m.row();
        epochRows.add(row);
        append(csv, row);
        ObjectNode j = JSON.createObjectNode();
        for (Map.Entry<String, Double> e : row.entrySet()) {
            if (isCount(e.getKey())) {
                j.put(e.getKey(), e.getValue().longValue());
            } else {
                j.put(e.getKey(), e.getValue());
            }
        }
        Files.writeString(jsonl, JSON.writeValueAsString(j) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Epoch and step numbers and image counts are integers; everything else is a measurement. */
    static boolean isCount(String column) {
        return column.equals("epoch") || column.equals("step") || column.endsWith("images");
    }

    /** A value as {@code metrics.csv} writes it: counts as integers, times to the millisecond, the rest to 8 digits. */
    static String format(String column, double v) {
        if (isCount(column)) {
            return Long.toString((long) v);
        }
        if (column.equals("seconds")) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        if (column.equals("images_per_s")) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.8g", v);
    }

    private static void append(Path file, Map<String, Double> row) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(file) || Files.size(file) == 0) {
            sb.append(String.join(",", row.keySet())).append('\n');
        } else {
            String header;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                header = r.readLine();
            }
            if (header != null && !header.equals(String.join(",", row.keySet()))) {
                throw new IOException(file + ": its columns (" + header + ") are not this run's ("
                        + String.join(",", row.keySet()) + ")");
            }
        }
        List<String> cells = new ArrayList<>();
        row.forEach((k, v) -> cells.add(format(k, v)));
        sb.append(String.join(",", cells)).append('\n');
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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

    /** The data rows of a CSV file with a header, by column name. */
    private static List<Map<String, Double>> readRows(Path file) throws IOException {
        List<Map<String, Double>> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return out;
        }
        String[] header = lines.get(0).split(",");
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            Map<String, Double> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < f.length; i++) {
                row.put(header[i], Double.parseDouble(f[i]));
            }
            out.add(row);
        }
        return out;
    }
}
