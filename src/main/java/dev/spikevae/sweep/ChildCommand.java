package dev.spikevae.sweep;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start spikevae again as another process (a run on one GPU, an array task on a cluster node): this JVM's
 * java, its JVM options and class path, the CLI's main class — or a launcher the user names ({@code --launcher},
 * e.g. {@code spikevae} inside a container image or a module on a cluster).
 */
public final class ChildCommand {
    private static final String MAIN = "dev.spikevae.cli.Main";
    private final List<String> prefix;

    private ChildCommand(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** This JVM again: same java, JVM options (debug agents left out) and class path. */
    public static ChildCommand thisJvm() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN);
        return new ChildCommand(cmd);
    }

    /** A launcher given as a command line (split on spaces), e.g. {@code /opt/spikevae/spikevae}. */
    public static ChildCommand launcher(String commandLine) {
        List<String> parts = new ArrayList<>();
        for (String p : commandLine.trim().split("\\s+")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        if (parts.isEmpty()) {
            throw new SweepException("--launcher: empty command");
        }
        return new ChildCommand(parts);
    }

    /** The full command with spikevae's arguments appended. */
    public List<String> with(String... args) {
        List<String> out = new ArrayList<>(prefix);
        out.addAll(List.of(args));
        return out;
    }

    /** The command as a shell line (for job scripts), every word quoted. */
    public String shellLine(String... args) {
        StringBuilder sb = new StringBuilder();
        for (String w : with(args)) {
            sb.append(sb.length() == 0 ? "" : " ").append(quote(w));
        }
        return sb.toString();
    }

    static String quote(String w) {
        if (w.startsWith("$")) {
            return "\"" + w + "\""; // a shell variable, expanded by the job
        }
        return "'" + w.replace("'", "'\\''") + "'";
    }
}
