package dev.spikevae.sweep;

import java.util.Map;

/**
 * Where one run of a sweep stands, read off its run folder: {@code pending} (not started), {@code running} (a process
 * or a cluster task is on it), {@code completed}, {@code failed} (with the error), {@code interrupted} (started, not
 * finished, and not failed: killed, or stopped on a signal — it resumes from its last checkpoint).
 *
 * @param state         the state's name
 * @param error         why it failed, or null
 * @param checkpoint    whether it has a checkpoint to resume from
 * @param finalMetrics  the final figures of its {@code summary.json} ({@code test_mse}, ...), empty without one
 */
public record RunState(String state, String error, boolean checkpoint, Map<String, Object> finalMetrics) {
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String INTERRUPTED = "interrupted";

    public RunState {
        finalMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(finalMetrics));
    }

    public boolean completed() {
        return state.equals(COMPLETED);
    }

    public RunState as(String other) {
        return new RunState(other, error, checkpoint, finalMetrics);
    }
}
