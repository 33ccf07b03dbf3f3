package dev.spikevae.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GitHub workflows, checked where no runner exists: they parse, their jobs run on the documented runners, the GPU
 * job does every step docker/README.md lists, and every script and property they name exists.
 */
class WorkflowFilesTest {
    private static final Path ROOT = SpikevaeImage.repoRoot();
    private static final Path WORKFLOWS = ROOT.resolve(".github/workflows");
    /** A repository script in a {@code run:} block: .ci/run, ci/*.sh, bench/*.sh, tools/*. */
    private static final Pattern SCRIPT = Pattern.compile("(?<![\\w/.-])((?:\\.ci|ci|bench|tools)/[\\w.-]+)");
    private static final Pattern PROPERTY = Pattern.compile("-D(spikevae\\.container\\.\\w+)=");

    private static JsonNode read(String file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(WORKFLOWS.resolve(file).toFile());
    }

    private static List<JsonNode> steps(JsonNode job) {
        List<JsonNode> out = new ArrayList<>();
        job.path("steps").forEach(out::add);
        return out;
    }

    private static String runs(JsonNode job) {
        return steps(job).stream().map(s -> s.path("run").asText("")).collect(Collectors.joining("\n"));
    }

    private static List<String> labels(JsonNode job) {
        List<String> out = new ArrayList<>();
        JsonNode on = job.path("runs-on");
        if (on.isArray()) {
            on.forEach(l -> out.add(l.asText()));
        } else {
            out.add(on.asText());
        }
        return out;
    }

    @Test
    void gpuWorkflowRunsEveryPartOnTheSelfHostedGpuRunner() throws IOException {
        JsonNode jobs = read("gpu.yml").path("jobs");
        assertEquals(1, jobs.size(), "one job: " + jobs);
        JsonNode job = jobs.elements().next();
        assertEquals(List.of("self-hosted", "linux", "x64", "gpu"), labels(job), "runner labels");
        String run = runs(job);
        assertTrue(run.contains("mvn -B test"), "unit tests: " + run);
        assertTrue(run.contains("docker build -f docker/Dockerfile"), "the image build: " + run);
        assertTrue(run.contains("ci/build-gpu-bundle.sh"), "the bundle ci/gpu-check.sh needs: " + run);
        assertTrue(run.matches("(?s).*mvn -B verify -DskipUnitTests=true [^\n]*-D" + DockerEngine.GPU_PROPERTY + "=true.*"),
                "the container tests with GPUs required, not skipped: " + run);
        JsonNode upload = steps(job).stream().filter(s -> s.path("uses").asText().startsWith("actions/upload-artifact@"))
                .findFirst().orElseThrow(() -> new AssertionError("no upload-artifact step"));
        assertEquals("always()", upload.path("if").asText(), "results are uploaded when a step failed too");
        assertTrue(upload.path("with").path("path").asText().contains(GpuCheckIT.OUT + "/"),
                "the artifact holds the gpu-check output: " + upload);
    }

    @Test
    void cpuWorkflowRunsCiOnAHostedRunner() throws IOException {
        JsonNode jobs = read("ci.yml").path("jobs");
        assertFalse(jobs.isEmpty(), "jobs");
        JsonNode job = jobs.elements().next();
        List<String> labels = labels(job);
        assertEquals(1, labels.size(), "one hosted-runner label: " + labels);
        assertTrue(labels.get(0).startsWith("ubuntu-"), "a GitHub-hosted Ubuntu runner: " + labels);
        assertTrue(runs(job).contains(".ci/run"), "runs .ci/run: " + runs(job));
    }

    /** Every script a workflow runs exists and is executable; every property it sets is one the tests read. */
    @Test
    void everyScriptAndPropertyNamedExists() throws IOException {
        List<String> known = List.of(SpikevaeImage.IMAGE_PROPERTY, SpikevaeImage.BASE_PROPERTY, DockerEngine.GPU_PROPERTY);
        List<Path> files;
        try (Stream<Path> s = Files.list(WORKFLOWS)) {
            files = s.filter(p -> p.toString().endsWith(".yml")).sorted().collect(Collectors.toList());
        }
        assertEquals(2, files.size(), "workflows " + files);
        int scripts = 0;
        for (Path file : files) {
            JsonNode jobs = new ObjectMapper(new YAMLFactory()).readTree(file.toFile()).path("jobs");
            for (JsonNode job : (Iterable<JsonNode>) jobs::elements) {
                for (JsonNode step : steps(job)) {
                    String uses = step.path("uses").asText("");
                    assertTrue(uses.isEmpty() || uses.matches("[\\w.-]+/[\\w.-]+@v\\d+"), file + ": unpinned action " + uses);
                }
                String run = runs(job);
                Matcher m = SCRIPT.matcher(run);
                while (m.find()) {
                    Path script = ROOT.resolve(m.group(1));
                    assertTrue(Files.isRegularFile(script) && Files.isExecutable(script),
                            file.getFileName() + " runs " + m.group(1) + ", which is not an executable file");
                    scripts++;
                }
                Matcher p = PROPERTY.matcher(run);
                while (p.find()) {
                    assertTrue(known.contains(p.group(1)), file.getFileName() + " sets -D" + p.group(1)
                            + ", which no container test reads (known: " + known + ")");
                }
                if (run.contains("-f docker/Dockerfile")) {
                    assertTrue(Files.isRegularFile(ROOT.resolve("docker/Dockerfile")), "docker/Dockerfile");
                }
            }
        }
        assertTrue(scripts >= 2, "scripts found in the workflows: " + scripts);
    }
}
