package dev.spikevae.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reads a run folder that a container wrote into a mounted runs root, as a user would from the host. */
final class RunFolder {
    static final ObjectMapper JSON = new ObjectMapper();
    /** metrics.csv: one row per epoch (docs/training.md). */
    static final String EPOCH_HEADER = "epoch,step,train_loss,train_mse,train_mmd,train_images,seconds,images_per_s,"
            + "test_loss,test_mse,test_mmd,test_rate_post,test_rate_prior,test_images";
    /** steps.csv: one row per train.log_every steps. */
    static final String STEP_HEADER = "step,epoch,loss,mse,mmd";

    private RunFolder() {
    }

    /** The only run folder under {@code runsRoot/name/}, named {@code <yyyyMMdd-HHmmss>-esvae-<dataset>}. */
    static Path single(Path runsRoot, String name, String dataset) throws IOException {
        Path parent = runsRoot.resolve(name);
        assertTrue(Files.isDirectory(parent), "no " + parent + "; the runs root holds " + list(runsRoot));
        List<Path> runs = list(parent);
        assertEquals(1, runs.size(), "run folders under " + parent + ": " + runs);
        Path run = runs.get(0);
        assertTrue(run.getFileName().toString().matches("\\d{8}-\\d{6}-esvae-" + dataset), "run folder name " + run);
        return run;
    }

    static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /**
     * The rows of a CSV file the run appends to, checked whole: it ends with a line break (no row cut short), its
     * first line is {@code header}, and every row has the header's number of fields, all numbers.
     */
    static List<double[]> csv(Path file, String header) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.endsWith("\n"), file + " ends inside a row");
        List<String> lines = text.lines().collect(Collectors.toList());
        assertEquals(header, lines.get(0), file + ": header");
        int fields = header.split(",").length;
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            assertEquals(fields, f.length, file + " line " + (i + 1) + " '" + lines.get(i) + "': fields");
            double[] row = new double[fields];
            for (int k = 0; k < fields; k++) {
                try {
                    row[k] = Double.parseDouble(f[k]);
                } catch (NumberFormatException e) {
                    fail(file + " line " + (i + 1) + " '" + lines.get(i) + "': field " + (k + 1) + " is not a number");
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /** The objects of a JSON-lines file, checked whole: it ends with a line break and every line is one object. */
    static List<JsonNode> jsonLines(Path file) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.endsWith("\n"), file + " ends inside a line");
        List<JsonNode> rows = new ArrayList<>();
        int n = 0;
        for (String line : text.lines().collect(Collectors.toList())) {
            n++;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError(file + " line " + n + " is not JSON: " + line, e);
            }
            assertTrue(node != null && node.isObject(), file + " line " + n + " is not one object: " + line);
            rows.add(node);
        }
        return rows;
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }
}
