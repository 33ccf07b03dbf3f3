package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Path;

/**
 * A Kubernetes Indexed Job for a sweep: one completion per run, completion index = array task index, each pod
 * running the project's image ({@code docker/Dockerfile}) with {@code sweep run-task /runs/SWEEP $JOB_COMPLETION_INDEX}.
 * The data volume is mounted read-only at /data and the runs volume at /runs, where the sweep folder must be (the
 * sweep is planned under {@code run.output=/runs}, or copied there). spikevae writes the manifest; {@code kubectl
 * apply -f} submits it.
 */
final class KubernetesJob {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private KubernetesJob() {
    }

    /** The manifest; {@code sweepInRunsVolume} is the sweep folder as the pods see it (under /runs). */
    static String manifest(SweepPlan plan, ExecutorSettings.Kubernetes k, Path sweepInRunsVolume) {
        int n = plan.runs().size();
        ObjectNode job = F.objectNode();
        job.put("apiVersion", "batch/v1");
        job.put("kind", "Job");
        ObjectNode meta = job.putObject("metadata");
        meta.put("name", ("spikevae-" + plan.base().name()).toLowerCase().replaceAll("[^a-z0-9-]", "-"));
        if (k.namespace() != null) {
            meta.put("namespace", k.namespace());
        }
        meta.putObject("labels").put("app.kubernetes.io/name", "spikevae");
        ObjectNode spec = job.putObject("spec");
        spec.put("completionMode", "Indexed");
        spec.put("completions", n);
        spec.put("parallelism", k.parallelism() > 0 ? Math.min(k.parallelism(), n) : n);
        spec.put("backoffLimitPerIndex", 1);
        spec.put("maxFailedIndexes", n);
        ObjectNode pod = spec.putObject("template").putObject("spec");
        pod.put("restartPolicy", "Never");
        ObjectNode c = pod.putArray("containers").addObject();
        c.put("name", "run");
        c.put("image", k.image());
        ArrayNode args = c.putArray("args");
        args.add("sweep").add("run-task").add(sweepInRunsVolume.toString()).add("$(JOB_COMPLETION_INDEX)");
        ArrayNode env = c.putArray("env");
        ObjectNode idx = env.addObject();
        idx.put("name", "JOB_COMPLETION_INDEX");
        idx.putObject("valueFrom").putObject("fieldRef")
                .put("fieldPath", "metadata.annotations['batch.kubernetes.io/job-completion-index']");
        if (k.gpusPerRun() > 0) {
            c.putObject("resources").putObject("limits").put("nvidia.com/gpu", k.gpusPerRun());
        }
        ArrayNode mounts = c.putArray("volumeMounts");
        mounts.addObject().put("name", "data").put("mountPath", "/data").put("readOnly", true);
        mounts.addObject().put("name", "runs").put("mountPath", "/runs");
        ArrayNode volumes = pod.putArray("volumes");
        ObjectNode data = volumes.addObject();
        data.put("name", "data");
        data.putObject("persistentVolumeClaim").put("claimName", k.dataClaim()).put("readOnly", true);
        ObjectNode runs = volumes.addObject();
        runs.put("name", "runs");
        runs.putObject("persistentVolumeClaim").put("claimName", k.runsClaim());
        try {
            return "# spikevae sweep " + plan.base().name() + ": " + n + " runs, one completion each (index = line of "
                    + "runs.txt).\n# Submit with: kubectl apply -f job.yaml\n" + YAML.writeValueAsString(job);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the Job manifest: " + e.getOriginalMessage(), e);
        }
    }
}
