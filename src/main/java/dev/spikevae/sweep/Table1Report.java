package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code results/table1.md} and {@code .csv} from a Table I sweep folder: the paper's numbers beside ours, the
 * difference, the state, the command that reproduces the row alone and its run folder. A metric a run did not
 * measure says why.
 */
public final class Table1Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The marker a Table I sweep folder holds: what was asked, for the report. */
    public static final String MARKER = "table1.json";

    /** The columns: the paper's name, and the names a run's summary may give the figure under. */
    private record Metric(String title, List<String> names) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("Recon", List.of("test_mse")),
            new Metric("IS", List.of("is")),
            new Metric("FID", List.of("fid")),
            new Metric("FAD", List.of("fad")));

    /** What was written. */
    public record Written(Path markdown, Path csv) {
    }

    private Table1Report() {
    }

    /** Whether {@code dir} is a Table I sweep folder. */
    public static boolean isTable1(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    /** Records in the sweep folder what the reproduction was asked to do (atomically). */
    static void writeMarker(Path dir, Table1.Planned p, String command) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("table", "table1");
        m.put("quick", p.quick());
        m.set("datasets", JSON.valueToTree(p.datasets()));
        m.set("models", JSON.valueToTree(p.models()));
        m.set("overrides", JSON.valueToTree(p.overrides()));
        m.set("skipped", JSON.valueToTree(p.skipped()));
        m.put("command", command);
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(MARKER), JSON.writeValueAsString(m) + "\n");
    }

    /** Writes {@code table1.md} and {@code table1.csv} into {@code results} for the Table I sweep folder {@code dir}. */
    public static Written write(Path dir, Path results) throws IOException {
        if (!isTable1(dir)) {
            throw new SweepException(dir + " is not a Table I folder (no " + MARKER + "); `spikevae reproduce table1` "
                    + "makes one");
        }
        JsonNode marker;
        try {
            marker = JSON.readTree(dir.resolve(MARKER).toFile());
        } catch (IOException e) {
            throw new SweepException(dir.resolve(MARKER) + ": unreadable (" + e.getMessage() + ")", e);
        }
        boolean quick = marker.path("quick").asBoolean(false);
        List<String> extra = new ArrayList<>();
        if (quick) {
            extra.addAll(Table1.QUICK);
        }
        marker.path("overrides").forEach(o -> extra.add(o.asText()));
        Map<String, String> skipped = new LinkedHashMap<>();
        marker.path("skipped").fields().forEachRemaining(e -> skipped.put(e.getKey(), e.getValue().asText()));

        SweepFolder folder = SweepFolder.open(dir);
        Map<String, RunState> states = new LinkedHashMap<>();
        for (String run : folder.runNames()) {
            states.put(run, folder.state(run));
        }
        List<String> datasets = new ArrayList<>();
        marker.path("datasets").forEach(d -> datasets.add(d.asText()));
        List<String> models = new ArrayList<>();
        marker.path("models").forEach(m -> models.add(m.asText()));

        StringBuilder md = new StringBuilder("# Table I: the paper's numbers beside ours\n\n");
        if (quick) {
            md.append("**Quick schedule** (`--quick`: ").append(String.join(" ", Table1.QUICK)).append("): a short run ")
                    .append("that checks the pipeline end to end on a CPU; its numbers are **not** comparable with the ")
                    .append("paper's, which come from the full schedules (ESVAE 300 epochs; FSVAE and the ANN VAE 150 in their ")
                    .append("original configs).\n\n");
        } else {
            md.append("Full schedules of the built-in specs.\n\n");
        }
        md.append("Reproduced with `").append(marker.path("command").asText()).append("` (sweep folder `").append(dir)
                .append("`). Paper: the published Table I (docs/reference.md §7.1). Δ = ours − paper. Recon is the test ")
                .append("MSE on images in [−1, 1].\n\n");
        md.append("| Dataset | Model | state |");
        StringBuilder csv = new StringBuilder("dataset,model,state");
        for (Metric m : METRICS) {
            md.append(" ").append(m.title()).append(" paper | ours | Δ |");
            String c = m.title().toLowerCase(Locale.ROOT);
            csv.append(",").append(c).append("_paper,").append(c).append("_ours,").append(c).append("_delta");
        }
        md.append(" command | run folder |\n");
        csv.append(",command,run_folder\n");
        md.append("|---".repeat(3 + 3 * METRICS.size() + 2)).append("|\n");
        for (String d : Table1.DATASETS) {
            if (!datasets.contains(d)) {
                continue;
            }
            for (String m : Table1.MODELS) {
                if (!models.contains(m)) {
                    continue;
                }
                String row = Table1.row(d, m);
                Table1.Figures paper = Table1.PAPER.get(row);
                RunState s = states.get(row);
                String state = s != null ? s.state() : "not run: " + skipped.getOrDefault(row, "not planned");
                if (s != null && s.error() != null) {
                    state += ": " + s.error();
                }
                md.append("| ").append(d).append(" | ").append(m).append(" | ").append(cell(state)).append(" |");
                csv.append(d).append(",").append(m).append(",").append(csvCell(state));
                Double[] ours = new Double[METRICS.size()];
                Map<String, String> measured = s == null ? Map.of() : Table1Metrics.read(folder.runDir(row));
                for (int i = 0; i < METRICS.size(); i++) {
                    Double p = paperValue(paper, i);
                    ours[i] = s == null ? null : ours(s, measured, METRICS.get(i));
                    String reason = measured.get(METRICS.get(i).names().get(0) + "_missing");
                    String why = s == null ? "not run" : !s.completed() ? "not measured: run " + s.state()
                            : reason != null ? "not measured: " + reason : "not measured";
                    md.append(" ").append(fmt(p, "–")).append(" | ").append(fmt(ours[i], why)).append(" | ")
                            .append(p != null && ours[i] != null ? signed(ours[i] - p) : "").append(" |");
                    csv.append(",").append(p == null ? "" : fmt(p, "")).append(",")
                            .append(ours[i] == null ? csvCell(why) : fmt(ours[i], "")).append(",")
                            .append(p != null && ours[i] != null ? signed(ours[i] - p) : "");
                }
                String command = s == null ? "" : "spikevae train --spec " + m + "/" + d
                        + (extra.isEmpty() ? "" : " " + String.join(" ", extra));
                String runDir = s == null ? "" : folder.runDir(row).toString();
                md.append(" ").append(command.isEmpty() ? "" : "`" + command + "`").append(" | ")
                        .append(runDir.isEmpty() ? "" : "`" + runDir + "`").append(" |\n");
                csv.append(",").append(csvCell(command)).append(",").append(csvCell(runDir)).append("\n");
            }
        }
        md.append("\nFAD: 40 × 128 samples with the dataset's autoencoder (shipped for MNIST and Fashion-MNIST); IS: ")
                .append("10 × 256 samples with the Inception model given by --is-model; FID: 5,000 samples (--fid-samples) ")
                .append("with clean-fid's network given by --fid-model against --fid-stats; the protocols are in ")
                .append("docs/metrics.md. \"not measured\" says why a figure is missing.\n");
        Files.createDirectories(results);
        Path mdFile = results.resolve("table1.md");
        Path csvFile = results.resolve("table1.csv");
        AtomicFiles.writeString(mdFile, md.toString());
        AtomicFiles.writeString(csvFile, csv.toString());
        return new Written(mdFile, csvFile);
    }

    private static Double paperValue(Table1.Figures f, int i) {
        if (f == null) {
            return null;
        }
        return switch (i) {
            case 0 -> f.recon();
            case 1 -> f.is();
            case 2 -> f.fid();
            default -> f.fad();
        };
    }

    /** A figure of the run's summary, else of its measured generation metrics. */
    private static Double ours(RunState s, Map<String, String> measured, Metric m) {
        for (String n : m.names()) {
            Object v = s.finalMetrics().get(n);
            if (v instanceof Number num) {
                return num.doubleValue();
            }
            if (measured.containsKey(n)) {
                try {
                    return Double.parseDouble(measured.get(n));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String fmt(Double v, String missing) {
        return v == null ? missing : String.format(Locale.ROOT, "%.4g", v);
    }

    private static String signed(double v) {
        return String.format(Locale.ROOT, "%+.3g", v);
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
