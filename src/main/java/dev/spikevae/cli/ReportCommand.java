package dev.spikevae.cli;

import dev.spikevae.sweep.SweepReport;
import dev.spikevae.sweep.Table1Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code spikevae report}: a sweep folder as a Markdown table and a plot. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Render a sweep folder: report.md (every run with what it varies, its state and final figures; the "
                + "mean ± std over seeds where the sweep has seeds) and report-METRIC-vs-KEY.png (one metric against "
                + "one varied key, a line per setting of the other keys). A Table I folder (reproduce table1) also gets "
                + "results/table1.md and table1.csv: the paper's numbers beside ours."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SWEEP_DIR", description = "A sweep folder (it holds runs.txt and sweep.json).")
    Path dir;

    @Option(names = "--metric", description = "The figure to plot (default: ${DEFAULT-VALUE}).", defaultValue = "test_mse")
    String metric;

    @Option(names = "--x", paramLabel = "KEY", description = "The varied key on the x axis (default: the first one that "
            + "is not run.seed).")
    String x;

    @Option(names = "--results", paramLabel = "DIR", description = "For a Table I folder (made by reproduce table1): "
            + "where table1.md and table1.csv go (default: ${DEFAULT-VALUE}).", defaultValue = "results")
    Path results;

    @Override
    public Integer call() throws Exception {
        if (Table1Report.isTable1(dir)) {
            Table1Report.Written t = Table1Report.write(dir, results);
            System.out.println("wrote " + t.markdown() + " and " + t.csv());
        }
        SweepReport.Written w = SweepReport.write(dir, metric, x);
        System.out.println("wrote " + w.table() + (w.plot() == null ? "" : " and " + w.plot()));
        return 0;
    }
}
