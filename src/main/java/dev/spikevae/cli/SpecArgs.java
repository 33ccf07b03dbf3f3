package dev.spikevae.cli;

import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Turns {@code --spec FILE|NAME} plus dotted overrides into a validated spec. */
final class SpecArgs {
    private static List<String> lastArgs = List.of();

    private SpecArgs() {
    }

    static ExperimentSpec resolve(String fileOrName, List<String> overrides) {
        Path p = Path.of(fileOrName);
        ExperimentSpec base;
        if (Files.isRegularFile(p)) {
            base = Specs.load(p);
        } else if (Specs.builtinNames().contains(fileOrName)) {
            base = Specs.builtin(fileOrName);
        } else {
            throw new IllegalArgumentException("--spec " + fileOrName + ": no such file, and not a built-in spec ("
                    + String.join(", ", Specs.builtinNames()) + ")");
        }
        ExperimentSpec s = Specs.override(base, overrides);
        Specs.validate(s);
        return s;
    }

    static List<String> builtins() {
        return Specs.builtinNames();
    }

    static void remember(String[] args) {
        lastArgs = List.of(args);
    }

    /** The command line as typed, for env.json. */
    static List<String> commandLine(String command) {
        List<String> out = new ArrayList<>();
        out.add("spikevae");
        out.addAll(lastArgs.isEmpty() ? List.of(command) : lastArgs);
        return out;
    }

    /** Completion candidates for --spec (the built-in names). */
    static final class BuiltinNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Specs.builtinNames().iterator();
        }
    }
}
