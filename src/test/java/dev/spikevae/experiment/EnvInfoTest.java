package dev.spikevae.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.spikevae.tensor.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** env.json holds the documented keys, with the values given and plausible values found. */
class EnvInfoTest {

    private static final List<String> KEYS = List.of("java_vendor", "java_version", "java_vm", "os_name", "os_version",
            "os_arch", "cpu_model", "cores", "max_heap_bytes", "vector_api", "vector_api_detail", "backend",
            "git_revision", "seed", "start_time", "command_line");

    @TempDir
    Path dir;

    @Test
    void collectHasTheDocumentedKeysAndValues() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
        Map<String, Object> env = EnvInfo.collect("cpu (vector, 2 threads)",
                Backends.environment(Backends.cpu()), 42, List.of("train", "digits"), clock);
        assertEquals(KEYS, new ArrayList<>(env.keySet()));
        assertEquals("cpu (vector, 2 threads)", env.get("backend"));
        assertEquals(42L, env.get("seed"));
        assertEquals("2026-01-02T03:04:05Z", env.get("start_time"));
        assertEquals(List.of("train", "digits"), env.get("command_line"));
        assertEquals(Runtime.getRuntime().availableProcessors(), env.get("cores"));
        assertEquals(System.getProperty("java.version"), env.get("java_version"));
        String git = (String) env.get("git_revision");
        assertTrue(git.equals("unknown") || git.matches("[0-9a-f]{40}([0-9a-f]{24})?"), git);
        assertTrue(!((String) env.get("cpu_model")).isBlank());
    }

    @Test
    void writeIsReadableJson() throws IOException {
        Map<String, Object> env = EnvInfo.collect(Backends.cpu(), -1, List.of("run", "--x=1"));
        Path file = dir.resolve("env.json");
        EnvInfo.write(file, env);
        JsonNode back = new JsonMapper().readTree(file.toFile());
        List<String> keys = new ArrayList<>();
        back.fieldNames().forEachRemaining(keys::add);
        assertEquals(KEYS, keys);
        assertEquals(-1, back.get("seed").asLong());
        assertEquals("--x=1", back.get("command_line").get(1).asText());
        assertEquals(env.get("vector_api"), back.get("vector_api").asBoolean());
    }
}
