package dev.spikevae.sweep;

import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.tensor.BackendOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs one run of a sweep in this process, whatever executor asked for it: a completed run is left alone, a run with
 * a checkpoint resumes from it, anything else starts afresh in its own folder. A failure that happens before the run
 * folder exists (missing data, say) is kept in {@code errors/NAME.txt}, so the index reports it.
 */
public final class SweepRunner {
    private SweepRunner() {
    }

    /** Runs {@code name}; returns its state afterwards (a failure is a state, not an exception). */
    public static RunState run(SweepFolder folder, String name, BackendOptions options, List<String> commandLine,
                               PrintStream out) throws IOException {
        RunState before = folder.state(name);
        if (before.completed()) {
            out.println("[sweep] " + name + ": already completed");
            return before;
        }
        Path errorFile = folder.errorFile(name);
        Files.deleteIfExists(errorFile);
        Path dir = folder.runDir(name);
        try {
            if (before.checkpoint()) {
                out.println("[sweep] " + name + ": resuming from its last checkpoint");
                ExperimentRunner.resume(dir, List.of(), options, commandLine, out);
            } else {
                deleteTree(dir); // started before but no epoch finished: nothing to keep
                out.println("[sweep] " + name + ": starting");
                ExperimentRunner.trainIn(dir, folder.spec(name), options, commandLine, out);
            }
        } catch (Exception | Error e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            Files.createDirectories(errorFile.getParent());
            AtomicFiles.writeString(errorFile, message + "\n");
            out.println("[sweep] " + name + ": failed: " + message);
        }
        return folder.state(name);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
