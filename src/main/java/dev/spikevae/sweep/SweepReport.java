package dev.spikevae.sweep;

import dev.spikevae.io.AtomicFiles;
import dev.spikevae.io.LinePlot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A sweep folder as a table and a plot: {@code report.md} lists every run (what it varies, its state, its final
 * figures) and, where the sweep has seeds, the mean ± standard deviation over them; {@code report-METRIC-vs-KEY.png}
 * plots one metric against one varied key, a line per setting of the other keys (averaged over seeds).
 */
public final class SweepReport {
    private SweepReport() {
    }

    /** What was written. */
    public record Written(Path table, Path plot) {
    }

    public static Written write(Path dir, String metric, String xKey) throws IOException {
        SweepFolder folder = SweepFolder.open(dir);
        SweepPlan plan = folder.plan();
        Map<String, RunState> states = new LinkedHashMap<>();
        for (SweepPlan.Run r : plan.runs()) {
            states.put(r.name(), folder.state(r.name()));
        }
        List<String> varied = plan.variedKeys();
        Set<String> metrics = new LinkedHashSet<>();
        states.values().forEach(s -> metrics.addAll(s.finalMetrics().keySet()));
        if (!metrics.isEmpty() && !metrics.contains(metric)) {
            throw new SweepException("--metric " + metric + ": the runs report " + String.join(", ", metrics));
        }
        String x = xKey != null ? xKey : varied.stream().filter(k -> !k.equals("run.seed")).findFirst().orElse(null);
        if (xKey != null && !varied.contains(xKey)) {
            throw new SweepException("--x " + xKey + ": the sweep varies " + String.join(", ", varied));
        }
        StringBuilder md = new StringBuilder();
        md.append("# Sweep ").append(plan.base().name()).append("\n\n");
        md.append("Folder `").append(dir).append("`: ").append(plan.runs().size()).append(" runs over ")
                .append(String.join(" × ", plan.definition().axes().stream().map(SweepAxis::name).toList())).append(".\n\n");
        List<String> shown = new ArrayList<>(metrics);
        md.append("| run | ").append(String.join(" | ", varied)).append(" | state | ")
                .append(String.join(" | ", shown)).append(" |\n");
        md.append("|---".repeat(2 + varied.size() + shown.size())).append("|\n");
        for (SweepPlan.Run r : plan.runs()) {
            RunState s = states.get(r.name());
            md.append("| ").append(r.name());
            varied.forEach(k -> md.append(" | ").append(r.overrides().getOrDefault(k, "")));
            md.append(" | ").append(s.state()).append(s.error() == null ? "" : ": " + s.error().replace("|", "\\|"));
            shown.forEach(m -> md.append(" | ").append(value(m, s.finalMetrics().get(m))));
            md.append(" |\n");
        }
        if (varied.contains("run.seed") && metrics.contains(metric)) {
            md.append("\n## ").append(metric).append(", mean ± standard deviation over seeds\n\n");
            List<String> keys = varied.stream().filter(k -> !k.equals("run.seed")).toList();
            Map<String, List<Double>> groups = groups(plan, states, keys, metric);
            md.append("| ").append(keys.isEmpty() ? "runs" : String.join(" | ", keys)).append(" | seeds | ").append(metric)
                    .append(" |\n").append("|---".repeat(Math.max(1, keys.size()) + 2)).append("|\n");
            for (Map.Entry<String, List<Double>> g : groups.entrySet()) {
                double[] ms = meanStd(g.getValue());
                md.append("| ").append(g.getKey().isEmpty() ? "all" : g.getKey().replace("\u0000", " | "))
                        .append(" | ").append(g.getValue().size())
                        .append(String.format(Locale.ROOT, " | %.5g ± %.2g |%n", ms[0], ms[1]));
            }
        }
        Path table = dir.resolve("report.md");
        AtomicFiles.writeString(table, md.toString());
        Path plot = null;
        if (x != null && metrics.contains(metric)) {
            plot = dir.resolve("report-" + metric + "-vs-" + SweepPlan.safe(x) + ".png");
            plotMetric(plot, plan, states, metric, x, varied);
        }
        return new Written(table, plot);
    }

    /** Metric values of completed runs grouped by the values of {@code keys} (joined with NUL). */
    private static Map<String, List<Double>> groups(SweepPlan plan, Map<String, RunState> states, List<String> keys,
                                                    String metric) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (SweepPlan.Run r : plan.runs()) {
            Object v = states.get(r.name()).finalMetrics().get(metric);
            if (v == null || !states.get(r.name()).completed()) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            keys.forEach(k -> parts.add(r.overrides().getOrDefault(k, "")));
            out.computeIfAbsent(String.join("\u0000", parts), k -> new ArrayList<>()).add(((Number) v).doubleValue());
        }
        return out;
    }

    private static double[] meanStd(List<Double> v) {
        double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double ss = 0;
        for (double d : v) {
            ss += (d - m) * (d - m);
        }
        return new double[] {m, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0};
    }

    private static void plotMetric(Path file, SweepPlan plan, Map<String, RunState> states, String metric, String x,
                                   List<String> varied) throws IOException {
        List<String> others = varied.stream().filter(k -> !k.equals(x) && !k.equals("run.seed")).toList();
        List<String> xValues = new ArrayList<>();
        for (SweepPlan.Run r : plan.runs()) {
            String v = r.overrides().get(x);
            if (v != null && !xValues.contains(v)) {
                xValues.add(v);
            }
        }
        boolean numeric = xValues.stream().allMatch(SweepReport::isNumber);
        // values spanning two decades or more (λ, learning rates) are plotted on a log scale
        boolean log = numeric && xValues.stream().mapToDouble(Double::parseDouble).allMatch(v -> v > 0)
                && xValues.stream().mapToDouble(Double::parseDouble).max().orElse(1)
                >= 100 * xValues.stream().mapToDouble(Double::parseDouble).min().orElse(1);
        Map<String, Map<String, List<Double>>> series = new LinkedHashMap<>();
        for (SweepPlan.Run r : plan.runs()) {
            Object v = states.get(r.name()).finalMetrics().get(metric);
            if (v == null || !states.get(r.name()).completed()) {
                continue;
            }
            List<String> label = new ArrayList<>();
            others.forEach(k -> label.add(k + "=" + r.overrides().getOrDefault(k, "")));
            series.computeIfAbsent(label.isEmpty() ? metric : String.join(", ", label), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.overrides().get(x), k -> new ArrayList<>()).add(((Number) v).doubleValue());
        }
        List<LinePlot.Series> lines = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<Double>>> s : series.entrySet()) {
            List<String> xs = new ArrayList<>(s.getValue().keySet());
            xs.sort((a, b) -> Integer.compare(xValues.indexOf(a), xValues.indexOf(b)));
            double[] px = new double[xs.size()];
            double[] py = new double[xs.size()];
            for (int i = 0; i < xs.size(); i++) {
                double xv = numeric ? Double.parseDouble(xs.get(i)) : xValues.indexOf(xs.get(i)) + 1;
                px[i] = log ? Math.log10(xv) : xv;
                py[i] = meanStd(s.getValue().get(xs.get(i)))[0];
            }
            lines.add(new LinePlot.Series(s.getKey(), px, py));
        }
        String xLabel = log ? "log10 " + x : numeric ? x : x + " (" + String.join(", ", numbered(xValues)) + ")";
        LinePlot.write(file, plan.base().name() + ": " + metric + " against " + x
                + (varied.contains("run.seed") ? " (mean over seeds)" : ""), xLabel, metric, lines, false);
    }

    private static List<String> numbered(List<String> values) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            out.add((i + 1) + " = " + values.get(i));
        }
        return out;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String value(String column, Object v) {
        if (v == null) {
            return "";
        }
        if (!(v instanceof Number n)) {
            return v.toString();
        }
        return column.endsWith("images") ? Long.toString(Math.round(n.doubleValue()))
                : String.format(Locale.ROOT, "%.5g", n.doubleValue());
    }
}
