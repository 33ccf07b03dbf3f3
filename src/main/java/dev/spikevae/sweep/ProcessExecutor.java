package dev.spikevae.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One server: runs as child processes, one per slot at a time — a slot is a GPU ({@code CUDA_VISIBLE_DEVICES}) or a
 * share of the CPU cores ({@code SPIKEVAE_THREADS}). A run that fails frees its slot for the next; the others go on.
 * Each child writes its own progress to {@code logs/NAME.log}.
 */
final class ProcessExecutor {
    private ProcessExecutor() {
    }

    /** A place a run can execute, and the environment that puts it there. */
    record Slot(String label, Map<String, String> environment) {
    }

    /** One slot per GPU index. */
    static List<Slot> gpuSlots(List<Integer> gpus) {
        List<Slot> out = new ArrayList<>();
        for (int g : gpus) {
            out.add(new Slot("gpu " + g, Map.of("CUDA_VISIBLE_DEVICES", Integer.toString(g), "SPIKEVAE_DEVICE", "cuda")));
        }
        return out;
    }

    /** {@code workers} CPU slots with the cores split between them. */
    static List<Slot> cpuSlots(int workers, int cores) {
        int each = Math.max(1, cores / workers);
        List<Slot> out = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            out.add(new Slot("cpu worker " + (i + 1) + " (" + each + " threads)",
                    Map.of("SPIKEVAE_THREADS", Integer.toString(each), "CUDA_VISIBLE_DEVICES", "")));
        }
        return out;
    }

    /** The GPU indices nvidia-smi lists, or none. */
    static List<Integer> detectGpus() {
        Processes.Output o = Processes.run(List.of("nvidia-smi", "--query-gpu=index", "--format=csv,noheader"));
        List<Integer> out = new ArrayList<>();
        if (o.ok()) {
            for (String line : o.text().split("\\R")) {
                try {
                    out.add(Integer.parseInt(line.trim()));
                } catch (NumberFormatException ignored) {
                    // not a GPU line
                }
            }
        }
        return out;
    }

    static Map<String, RunState> run(SweepFolder folder, SweepPlan plan, String source, List<Slot> slots,
                                     ChildCommand child, PrintStream out) throws IOException {
        Map<String, Object> extra = Map.of("executor", "gpus", "slots", slots.stream().map(Slot::label).toList());
        Map<String, RunState> states = folder.writeIndex(plan, source, Map.of(), extra);
        Deque<SweepPlan.Run> queue = new ArrayDeque<>();
        for (SweepPlan.Run r : plan.runs()) {
            if (!states.get(r.name()).completed()) {
                queue.add(r);
            }
        }
        SweepProgress progress = new SweepProgress(out, plan.runs().size(), slots.size());
        progress.print(states);
        Deque<Slot> free = new ArrayDeque<>(slots);
        Map<Process, SweepPlan.Run> active = new LinkedHashMap<>();
        Map<Process, Slot> slotOf = new LinkedHashMap<>();
        Thread killChildren = new Thread(() -> active.keySet().forEach(Process::destroy));
        Runtime.getRuntime().addShutdownHook(killChildren);
        try {
            while (!queue.isEmpty() || !active.isEmpty()) {
                while (!queue.isEmpty() && !free.isEmpty()) {
                    SweepPlan.Run r = queue.poll();
                    Slot slot = free.poll();
                    Files.createDirectories(folder.log(r.name()).getParent());
                    ProcessBuilder pb = new ProcessBuilder(child.with("sweep", "run-one", folder.root().toString(), r.name()))
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.log(r.name()).toFile()));
                    pb.environment().putAll(slot.environment());
                    Process p = pb.start();
                    active.put(p, r);
                    slotOf.put(p, slot);
                    out.println("[sweep] " + r.name() + ": started on " + slot.label() + " (log " + folder.log(r.name()) + ")");
                }
                Map<String, String> running = new LinkedHashMap<>();
                active.values().forEach(r -> running.put(r.name(), RunState.RUNNING));
                states = folder.writeIndex(plan, source, running, extra);
                CompletableFuture.anyOf(active.keySet().stream().map(Process::onExit).toArray(CompletableFuture[]::new)).join();
                for (Process p : new ArrayList<>(active.keySet())) {
                    if (!p.isAlive()) {
                        SweepPlan.Run r = active.remove(p);
                        free.add(slotOf.remove(p));
                        progress.finished();
                        RunState s = folder.state(r.name());
                        out.println("[sweep] " + r.name() + ": " + s.state() + (s.error() == null ? "" : " (" + s.error() + ")")
                                + (p.exitValue() != 0 && s.completed() ? " (exit " + p.exitValue() + ")" : ""));
                    }
                }
                Map<String, String> still = new LinkedHashMap<>();
                active.values().forEach(r -> still.put(r.name(), RunState.RUNNING));
                states = folder.writeIndex(plan, source, still, extra);
                progress.print(states);
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(killChildren);
        }
        return states;
    }
}
