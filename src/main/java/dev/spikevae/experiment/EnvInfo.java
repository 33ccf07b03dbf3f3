package dev.spikevae.experiment;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.spikevae.io.AtomicFiles;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a run's {@code env.json} records about where it ran, so that a number can be traced to a machine, a
 * JDK and a commit: JDK, OS, CPU model, cores, max heap, whether the Vector API is on, backend, git revision,
 * seed, start time and command line.
 */
public final class EnvInfo {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final long GIT_TIMEOUT_SECONDS = 10;

    private EnvInfo() {}

    /** The environment of a run on {@code backend} now; see {@link #collect(String, Map, long, List, Clock)}. */
    public static Map<String, Object> collect(Backend backend, long seed, List<String> commandLine) {
        return collect(backend.description(), Backends.environment(backend), seed, commandLine, Clock.systemUTC());
    }

    /**
     * Keys: java_vendor, java_version, java_vm, os_name, os_version, os_arch, cpu_model, cores, max_heap_bytes, then
     * what the backend's provider reports (CPU: vector_api, vector_api_detail), backend, git_revision, seed,
     * start_time (ISO-8601 UTC), command_line.
     */
    public static Map<String, Object> collect(String backendName, Map<String, Object> backendEnvironment, long seed,
                                              List<String> commandLine, Clock clock) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("java_vendor", System.getProperty("java.vendor"));
        env.put("java_version", System.getProperty("java.version"));
        env.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("os_name", System.getProperty("os.name"));
        env.put("os_version", System.getProperty("os.version"));
        env.put("os_arch", System.getProperty("os.arch"));
        env.put("cpu_model", cpuModel());
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        env.putAll(backendEnvironment);
        env.put("backend", backendName);
        env.put("git_revision", gitRevision());
        env.put("seed", seed);
        env.put("start_time", Instant.now(clock).toString());
        env.put("command_line", List.copyOf(commandLine));
        return env;
    }

    /** Writes the map as pretty JSON, atomically. */
    public static void write(Path file, Map<String, Object> env) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(env) + System.lineSeparator());
    }

    /** The "model name" of /proc/cpuinfo where there is one; else the JVM's architecture name. */
    static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                        return line.substring(colon + 1).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through: the model is a courtesy, not a reason to fail a run
            }
        }
        return "unknown (" + System.getProperty("os.arch") + ")";
    }

    /** {@code git rev-parse HEAD} in the working directory, or "unknown" without git or outside a repository. */
    static String gitRevision() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            git.getOutputStream().close();
            String out;
            try (InputStream in = git.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!git.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return "unknown";
            }
            return git.exitValue() == 0 && out.matches("[0-9a-f]{7,64}") ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
