package dev.spikevae.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikevae.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster: the runs as one Slurm job array ({@code sbatch}), one array task per run, each task running
 * {@code spikevae sweep run-task SWEEP_DIR $SLURM_ARRAY_TASK_ID} on a node that sees the sweep folder (a shared file
 * system). Slurm schedules; spikevae only writes the job script, submits it, and reads back where each task stands
 * ({@code squeue}, {@code scontrol}, {@code sacct} where accounting is on, and the run folders, which are the truth
 * about finished runs). {@code resubmit} submits a new array of the tasks that are neither finished nor queued.
 */
final class SlurmExecutor {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern JOB_ID = Pattern.compile("^(\\d+)");

    private SlurmExecutor() {
    }

    /** The job script of an array over {@code tasks} (array task indices). */
    static String script(SweepFolder folder, SweepPlan plan, List<Integer> tasks, ExecutorSettings.Slurm s,
                         ChildCommand child) {
        StringBuilder sb = new StringBuilder("#!/bin/bash\n");
        sb.append("#SBATCH --job-name=spikevae-").append(SweepPlan.safe(plan.base().name())).append('\n');
        sb.append("#SBATCH --array=").append(ranges(tasks)).append(s.parallel() > 0 ? "%" + s.parallel() : "").append('\n');
        sb.append("#SBATCH --output=").append(folder.root().resolve("logs").toAbsolutePath()).append("/task-%a.log\n");
        if (s.partition() != null) {
            sb.append("#SBATCH --partition=").append(s.partition()).append('\n');
        }
        if (s.time() != null) {
            sb.append("#SBATCH --time=").append(s.time()).append('\n');
        }
        if (s.account() != null) {
            sb.append("#SBATCH --account=").append(s.account()).append('\n');
        }
        if (s.gpusPerTask() > 0) {
            sb.append("#SBATCH --gres=gpu:").append(s.gpusPerTask()).append('\n');
        }
        if (s.cpusPerTask() > 0) {
            sb.append("#SBATCH --cpus-per-task=").append(s.cpusPerTask()).append('\n');
        }
        if (s.memory() != null) {
            sb.append("#SBATCH --mem=").append(s.memory()).append('\n');
        }
        for (String e : s.extra()) {
            sb.append("#SBATCH ").append(e).append('\n');
        }
        sb.append("# One run of the sweep per array task: ").append(folder.runsList().toAbsolutePath())
                .append(" lists them in task order.\n");
        sb.append("set -euo pipefail\n");
        if (s.cpusPerTask() > 0) {
            sb.append("export SPIKEVAE_THREADS=${SLURM_CPUS_PER_TASK:-").append(s.cpusPerTask()).append("}\n");
        }
        sb.append("exec ").append(child.shellLine("sweep", "run-task", folder.root().toAbsolutePath().toString(),
                "$SLURM_ARRAY_TASK_ID")).append('\n');
        return sb.toString();
    }

    /** {@code 0-3,5,7-8}: the task list as sbatch's --array takes it. */
    static String ranges(List<Integer> tasks) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < tasks.size()) {
            int j = i;
            while (j + 1 < tasks.size() && tasks.get(j + 1) == tasks.get(j) + 1) {
                j++;
            }
            parts.add(i == j ? Integer.toString(tasks.get(i)) : tasks.get(i) + "-" + tasks.get(j));
            i = j + 1;
        }
        return String.join(",", parts);
    }

    /** Writes the job script for {@code tasks} and submits it; returns the job id. */
    static String submit(SweepFolder folder, SweepPlan plan, List<Integer> tasks, ExecutorSettings.Slurm s,
                         ChildCommand child, PrintStream out) throws IOException {
        Path dir = folder.root().resolve("slurm");
        Files.createDirectories(dir);
        int n = jobs(folder).size() + 1;
        Path file = dir.resolve("array-" + n + ".sh");
        AtomicFiles.writeString(file, script(folder, plan, tasks, s, child));
        Processes.Output o = Processes.run(List.of("sbatch", "--parsable", file.toString()));
        if (!o.ok()) {
            throw new SweepException("sbatch " + file + " failed (exit " + o.code() + "): " + o.text());
        }
        Matcher m = JOB_ID.matcher(o.text().lines().reduce((a, b) -> b).orElse(""));
        if (!m.find()) {
            throw new SweepException("sbatch " + file + " printed no job id: " + o.text());
        }
        String id = m.group(1);
        ObjectNode rec = JSON.createObjectNode();
        rec.put("job", id);
        rec.put("tasks", ranges(tasks));
        rec.put("script", folder.root().relativize(file).toString());
        rec.put("submitted", Instant.now().toString());
        ArrayNode all = jobs(folder);
        all.add(rec);
        AtomicFiles.writeString(jobsFile(folder), JSON.writeValueAsString(all) + "\n");
        out.println("[sweep] submitted Slurm job array " + id + " (tasks " + ranges(tasks) + ", script " + file + ")");
        return id;
    }

    private static Path jobsFile(SweepFolder folder) {
        return folder.root().resolve("slurm").resolve("jobs.json");
    }

    /** The arrays submitted for this sweep, oldest first. */
    static ArrayNode jobs(SweepFolder folder) throws IOException {
        Path f = jobsFile(folder);
        if (!Files.exists(f)) {
            return JSON.createArrayNode();
        }
        JsonNode n = JSON.readTree(f.toFile());
        if (!n.isArray()) {
            throw new SweepException(f + ": expected a list of submitted job arrays");
        }
        return (ArrayNode) n;
    }

    /**
     * Where each run stands: the run folders, then the cluster's view of tasks not finished there — queued or running
     * in {@code squeue}, or ended without a result ({@code scontrol}/{@code sacct}: failed, timeout, cancelled,
     * node failure). Rewrites the index.
     */
    static Map<String, RunState> status(SweepFolder folder, SweepPlan plan, String source) throws IOException {
        List<String> names = folder.runNames();
        Map<String, String> override = new LinkedHashMap<>();
        Map<Integer, String> clusterState = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (JsonNode j : jobs(folder)) {
            ids.add(j.path("job").asText());
        }
        for (String id : ids) { // later submissions overwrite earlier ones for the same task
            clusterState.putAll(taskStates(id));
        }
        for (Map.Entry<Integer, String> e : clusterState.entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= names.size()) {
                continue;
            }
            String name = names.get(e.getKey());
            String st = e.getValue();
            if (st.equals("PENDING") || st.equals("CONFIGURING") || st.equals("REQUEUED")) {
                override.put(name, "queued");
            } else if (st.equals("RUNNING") || st.equals("COMPLETING")) {
                override.put(name, RunState.RUNNING);
            } else if (!st.equals("COMPLETED") && !folder.state(name).completed()
                    && !folder.state(name).state().equals(RunState.FAILED)) {
                override.put(name, RunState.FAILED); // ended by Slurm without a result (timeout, node failure, ...)
                Path err = folder.errorFile(name);
                if (!Files.exists(err) && !Files.exists(folder.runDir(name).resolve("summary.json"))) {
                    Files.createDirectories(err.getParent());
                    AtomicFiles.writeString(err, "Slurm ended the task: " + st + " (log " + folder.root().resolve("logs")
                            + "/task-" + e.getKey() + ".log)\n");
                }
            }
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("executor", "slurm");
        extra.put("slurm_jobs", ids);
        return folder.writeIndex(plan, source, override, extra);
    }

    /** Array task index → Slurm state, from squeue (active) and scontrol / sacct (recently ended). */
    static Map<Integer, String> taskStates(String jobId) {
        Map<Integer, String> out = new LinkedHashMap<>();
        Processes.Output ended = Processes.run(List.of("scontrol", "show", "job", "-o", jobId));
        if (ended.ok()) {
            Pattern task = Pattern.compile("ArrayTaskId=(\\d+)");
            Pattern state = Pattern.compile("JobState=(\\S+)");
            for (String line : ended.text().split("\\R")) {
                Matcher t = task.matcher(line);
                Matcher s = state.matcher(line);
                if (t.find() && s.find()) {
                    out.put(Integer.parseInt(t.group(1)), s.group(1));
                }
            }
        }
        Processes.Output acct = Processes.run(List.of("sacct", "-n", "-P", "-X", "-j", jobId, "--format=JobID,State"));
        if (acct.ok()) {
            Pattern p = Pattern.compile("^\\d+_(\\d+)\\|(\\S+)");
            for (String line : acct.text().split("\\R")) {
                Matcher m = p.matcher(line.trim());
                if (m.find()) {
                    out.putIfAbsent(Integer.parseInt(m.group(1)), m.group(2).split(" ")[0]);
                }
            }
        }
        Processes.Output active = Processes.run(List.of("squeue", "-h", "-r", "-j", jobId, "-o", "%K %T"));
        if (active.ok()) {
            for (String line : active.text().split("\\R")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].matches("\\d+")) {
                    out.put(Integer.parseInt(f[0]), f[1]);
                }
            }
        }
        return out;
    }

    /** Whether any task of this sweep is still queued or running. */
    static boolean busy(Map<String, RunState> states) {
        return states.values().stream().anyMatch(s -> s.state().equals(RunState.RUNNING) || s.state().equals("queued"));
    }

    /** The array tasks to (re)submit: runs neither completed nor queued nor running. */
    static List<Integer> unfinished(SweepFolder folder, Map<String, RunState> states) {
        List<Integer> out = new ArrayList<>();
        List<String> names = folder.runNames();
        for (int i = 0; i < names.size(); i++) {
            String st = states.get(names.get(i)).state();
            if (!st.equals(RunState.COMPLETED) && !st.equals(RunState.RUNNING) && !st.equals("queued")) {
                out.add(i);
            }
        }
        return out;
    }
}
