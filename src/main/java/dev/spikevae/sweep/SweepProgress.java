package dev.spikevae.sweep;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** The sweep's own progress line: runs done out of the total, failures, what is running, and an ETA. */
final class SweepProgress {
    private final PrintStream out;
    private final int total;
    private final int parallel;
    private final long start = System.nanoTime();
    private int finishedHere;

    SweepProgress(PrintStream out, int total, int parallel) {
        this.out = out;
        this.total = total;
        this.parallel = Math.max(1, parallel);
    }

    /** Counts a run this process saw finish (for the ETA). */
    void finished() {
        finishedHere++;
    }

    void print(Map<String, RunState> states) {
        int done = 0;
        int failed = 0;
        int running = 0;
        for (RunState s : states.values()) {
            switch (s.state()) {
                case RunState.COMPLETED -> done++;
                case RunState.FAILED -> failed++;
                case RunState.RUNNING -> running++;
                default -> { }
            }
        }
        int left = total - done - failed;
        String eta = "";
        if (finishedHere > 0 && left > 0) {
            double perRun = (System.nanoTime() - start) / 1e9 / finishedHere * parallel;
            eta = ", ETA " + clock(perRun * Math.ceil((double) left / parallel));
        }
        out.printf(Locale.ROOT, "[sweep] %d/%d completed, %d failed, %d running%s%n", done, total, failed, running, eta);
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
