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
 * {@code every} steps (and the first and last of each epoch) in {@code steps.csv} (step, epoch, then the loss and its terms). Columns are named after the
 * values, so a model's own loss terms become columns; the header is written with the first row. A value that is
 * computed only on some epochs (a metric of the spec's {@code eval} section) is a blank cell of {@code metrics.csv} and
 * an absent key of {@code metrics.jsonl} on the others; a row that brings a column the file does not have yet rewrites
 * the file (atomically) with the column added before {@code test_images}, earlier rows blank there. On resume, rows
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

    /**
     * Keeps only rows up to {@code epoch} / {@code step} (what the checkpoint being resumed has seen), and drops
     * torn or unparsable rows (a short write, a power cut); returns one note per file that lost such rows.
     */
    public List<String> truncateAfter(int epoch, long step) throws IOException {
        List<String> notes = new ArrayList<>();
        keepWhile(csv, true, cells -> cells[0] <= epoch, notes);
        keepJsonWhile(jsonl, epoch, notes);
        keepWhile(steps, true, cells -> cells[0] <= step, notes);
        epochRows.addAll(readRows(csv));
        stepRows.addAll(readRows(steps));
        return notes;
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
        // also each epoch's first batch, so that even a run shorter than log_every draws a curve, not a dot
        if (c.step() % every == 0 || c.batch() == 1 || c.batch() == c.batchesPerEpoch()) {
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
        appendDurably(jsonl, JSON.writeValueAsString(j) + "\n");
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
        List<String> columns;
        if (!Files.exists(file) || Files.size(file) == 0) {
            columns = new ArrayList<>(row.keySet());
            sb.append(String.join(",", columns)).append('\n');
        } else {
            String header;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                header = r.readLine();
            }
            columns = header == null ? new ArrayList<>() : new ArrayList<>(List.of(header.split(",", -1)));
            List<String> added = new ArrayList<>();
            for (String k : row.keySet()) {
                if (!columns.contains(k)) {
                    added.add(k);
                }
            }
            if (!added.isEmpty()) {
                columns = widen(file, columns, added);
            }
        }
        if (columns.isEmpty() || !columns.get(0).equals(firstKey(row)) || !row.containsKey(columns.get(columns.size() - 1))) {
            throw new IOException(file + ": its columns (" + String.join(",", columns) + ") are not this run's ("
                    + String.join(",", row.keySet()) + ")");
        }
        List<String> cells = new ArrayList<>();
        for (String k : columns) {
            Double v = row.get(k);
            cells.add(v == null ? "" : format(k, v));
        }
        sb.append(String.join(",", cells)).append('\n');
        appendDurably(file, sb.toString());
    }

    private static String firstKey(Map<String, Double> row) {
        return row.isEmpty() ? "" : row.keySet().iterator().next();
    }

    /**
     * Rewrites {@code file} with the columns {@code added} inserted before its last column (epoch rows end with
     * test_images), earlier rows blank in them; returns the new columns.
     */
    private static List<String> widen(Path file, List<String> columns, List<String> added) throws IOException {
        int at = Math.max(1, columns.size() - 1);
        List<String> wider = new ArrayList<>(columns.subList(0, at));
        wider.addAll(added);
        wider.addAll(columns.subList(at, columns.size()));
        StringBuilder sb = new StringBuilder(String.join(",", wider)).append('\n');
        List<String> lines = readLines(file);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != columns.size()) {
                continue; // torn: dropped, as a resume would drop it
            }
            List<String> cells = new ArrayList<>(List.of(f).subList(0, at));
            for (int i = 0; i < added.size(); i++) {
                cells.add("");
            }
            cells.addAll(List.of(f).subList(at, f.length));
            sb.append(String.join(",", cells)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
        return wider;
    }

    /** Appends and forces the bytes to the disk; an I/O error names the file. */
    private static void appendDurably(Path file, String text) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().contains(file.toString()) ? e
                    : new IOException(file + ": cannot append a metrics row (" + e + ")", e);
        }
    }

    private interface RowTest {
        boolean keep(double[] cells);
    }

    /**
     * The cells of a CSV data row (NaN for a blank cell: a value not computed on that epoch), or null if it is torn
     * (wrong count, a blank first or last cell: a write cut after a comma) or a cell is not a number.
     */
    private static double[] cells(String line, int columns) {
        String[] f = line.split(",", -1);
        if (f.length != columns || f[0].isEmpty() || f[f.length - 1].isEmpty()) {
            return null;
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            if (f[i].isEmpty()) {
                out[i] = Double.NaN;
                continue;
            }
            try {
                out[i] = Double.parseDouble(f[i]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    private static void keepWhile(Path file, boolean hasHeader, RowTest test, List<String> notes) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = readLines(file);
        StringBuilder sb = new StringBuilder();
        int columns = -1;
        int torn = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (columns < 0) {
                columns = line.split(",", -1).length;
                sb.append(line).append('\n');
                continue;
            }
            double[] c = cells(line, columns);
            if (c == null) {
                torn++;
            } else if (test.keep(c)) {
                sb.append(line).append('\n');
            }
        }
        if (torn > 0) {
            notes.add(file + ": dropped " + torn + " torn or unparsable row(s)");
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static void keepJsonWhile(Path file, int epoch, List<String> notes) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        int torn = 0;
        for (String line : readLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                n = null;
            }
            if (n == null || !n.isObject() || !n.path("epoch").isIntegralNumber()) {
                torn++;
            } else if (n.get("epoch").asInt() <= epoch) {
                sb.append(line).append('\n');
            }
        }
        if (torn > 0) {
            notes.add(file + ": dropped " + torn + " torn or unparsable row(s)");
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** The lines of a text file; bytes that are not UTF-8 (a torn multi-byte write) become replacement characters. */
    private static List<String> readLines(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
                .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        return List.of(text.split("\n", -1));
    }

    /** The data rows of a CSV file with a header, by column name; torn rows are skipped. */
    private static List<Map<String, Double>> readRows(Path file) throws IOException {
        List<Map<String, Double>> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = new ArrayList<>(readLines(file));
        lines.removeIf(String::isBlank);
        if (lines.isEmpty()) {
            return out;
        }
        String[] header = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            double[] c = cells(line, header.length);
            if (c == null) {
                continue;
            }
            Map<String, Double> row = new LinkedHashMap<>();
            String[] raw = line.split(",", -1);
            for (int i = 0; i < header.length; i++) {
                if (!raw[i].isEmpty()) { // a blank cell: not computed on this epoch, absent from the row
                    row.put(header[i], c[i]);
                }
            }
            out.add(row);
        }
        return out;
    }
}
