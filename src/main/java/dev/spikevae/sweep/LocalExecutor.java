package dev.spikevae.sweep;

import dev.spikevae.tensor.BackendOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** One run after another, in this process; each run prints its own progress bar, the sweep its progress line. */
final class LocalExecutor {
    private LocalExecutor() {
    }

    static Map<String, RunState> run(SweepFolder folder, SweepPlan plan, String source, BackendOptions options,
                                     List<String> commandLine, PrintStream out) throws IOException {
        Map<String, Object> extra = Map.of("executor", "local");
        Map<String, RunState> states = folder.writeIndex(plan, source, Map.of(), extra);
        SweepProgress progress = new SweepProgress(out, plan.runs().size(), 1);
        progress.print(states);
        for (SweepPlan.Run r : plan.runs()) {
            if (states.get(r.name()).completed()) {
                continue;
            }
            folder.writeIndex(plan, source, Map.of(r.name(), RunState.RUNNING), extra);
            out.println("[sweep] run " + (r.index() + 1) + "/" + plan.runs().size() + ": " + r.name() + " " + r.overrides());
            SweepRunner.run(folder, r.name(), options, commandLine, out);
            progress.finished();
            states = folder.writeIndex(plan, source, Map.of(), extra);
            progress.print(states);
        }
        return states;
    }
}
