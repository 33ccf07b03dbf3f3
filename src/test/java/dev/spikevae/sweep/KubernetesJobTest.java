package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kubernetes executor writes an Indexed Job, one completion per run, for kubectl apply (no cluster runs here). */
class KubernetesJobTest {
    @Test
    void theManifestIsAnIndexedJobOverTheRuns(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        SweepExecutorsTest.Run r = SweepExecutorsTest.cli("sweep", "digits", "model.lambda=0.001,0.01,0.1", "--output",
                runs.toString(), "--executor", "kubernetes", "--image", "registry.example/spikevae:0.1");
        assertEquals(0, r.code(), r.err() + r.out());
        Path file = runs.resolve("digits").resolve("sweep").resolve("kubernetes").resolve("job.yaml");
        assertTrue(r.out().contains("kubectl apply -f " + file), r.out());
        JsonNode job = new YAMLMapper().readTree(file.toFile());
        assertEquals("batch/v1", job.path("apiVersion").asText());
        assertEquals("Job", job.path("kind").asText());
        assertEquals("spikevae-digits", job.path("metadata").path("name").asText());
        JsonNode spec = job.path("spec");
        assertEquals("Indexed", spec.path("completionMode").asText());
        assertEquals(3, spec.path("completions").asInt());
        JsonNode pod = spec.path("template").path("spec");
        assertEquals("Never", pod.path("restartPolicy").asText());
        JsonNode c = pod.path("containers").get(0);
        assertEquals("registry.example/spikevae:0.1", c.path("image").asText());
        assertEquals("[\"sweep\",\"run-task\",\"/runs/digits/sweep\",\"$(JOB_COMPLETION_INDEX)\"]", c.path("args").toString());
        assertEquals(1, c.path("resources").path("limits").path("nvidia.com/gpu").asInt());
        assertEquals("metadata.annotations['batch.kubernetes.io/job-completion-index']",
                c.path("env").get(0).path("valueFrom").path("fieldRef").path("fieldPath").asText());
        assertEquals("/data", c.path("volumeMounts").get(0).path("mountPath").asText());
        assertTrue(c.path("volumeMounts").get(0).path("readOnly").asBoolean());
        assertEquals("/runs", c.path("volumeMounts").get(1).path("mountPath").asText());
        assertEquals("spikevae-runs", pod.path("volumes").get(1).path("persistentVolumeClaim").path("claimName").asText());
        assertEquals(3, Files.readAllLines(runs.resolve("digits").resolve("sweep").resolve("runs.txt")).size(),
                "completion index i runs line i of runs.txt");
    }
}
