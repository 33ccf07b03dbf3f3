package dev.spikevae.autograd;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reverse-mode tape. While a tape records on this thread, every differentiable op in {@link Ops} whose
 * inputs require a gradient appends one node (a fused op is one node) holding what its backward needs.
 * {@link #backward} walks the nodes in reverse, accumulates gradients of leaves (parameters) into their
 * {@link Tensor#grad()}, and then drops the whole graph.
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open(); Tape tape = Tape.record()) {
 *     Tensor loss = model.loss(x);
 *     tape.backward(loss);
 * }
 * }</pre>
 *
 * With no tape recording (evaluation), or inside {@link #noGrad()}, ops record nothing and keep no
 * activations alive.
 */
public final class Tape implements AutoCloseable {
    private static final ThreadLocal<Tape> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<int[]> PAUSED = ThreadLocal.withInitial(() -> new int[1]);

    private final List<Node> nodes = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    /** While a node's backward runs: those of its output gradients that nothing else reads afterwards. */
    private final List<Tensor> overwritable = new ArrayList<>();
    private boolean closed;

    private Tape() {
    }

    /** Starts recording on this thread. Tapes do not nest. */
    public static Tape record() {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("a Tape is already recording on this thread; close it first");
        }
        Tape t = new Tape();
        CURRENT.set(t);
        return t;
    }

    /** The tape recording on this thread, or null when none is or recording is paused. */
    static Tape active() {
        Tape t = CURRENT.get();
        return t == null || PAUSED.get()[0] > 0 ? null : t;
    }

    /** Whether ops are being recorded now. */
    public static boolean isRecording() {
        return active() != null;
    }

    /** Pauses recording until the returned handle is closed (nestable): evaluation, detached sub-computations. */
    public static NoGrad noGrad() {
        PAUSED.get()[0]++;
        return new NoGrad();
    }

    /** Closing resumes recording. */
    public static final class NoGrad implements AutoCloseable {
        private boolean closed;

        private NoGrad() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                PAUSED.get()[0]--;
            }
        }
    }

    /** Number of recorded nodes (for tests and diagnostics). */
    public int size() {
        return nodes.size();
    }

    void add(Node n) {
        nodes.add(n);
    }

    /** Backpropagates from a one-element loss (seed 1). */
    public void backward(Tensor loss) {
        if (loss.numel() != 1) {
            throw new IllegalArgumentException("backward: the loss must have one element, got shape " + loss.shape()
                    + "; pass an explicit output gradient for other shapes");
        }
        Tensor seed = loss.backend().empty(loss.shape());
        loss.backend().fill(seed, 1f);
        backward(loss, seed);
    }

    /** Backpropagates {@code gradOutput} (the gradient of some scalar with respect to {@code output}). */
    public void backward(Tensor output, Tensor gradOutput) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("backward must run on the thread that recorded the tape");
        }
        if (!output.shape().equals(gradOutput.shape())) {
            throw new IllegalArgumentException("backward: gradient " + gradOutput.shape() + " does not match output "
                    + output.shape());
        }
        if (!output.requiresGrad()) {
            throw new IllegalArgumentException("backward: the output " + output.shape()
                    + " does not depend on anything that requires a gradient (was the tape recording?)");
        }
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        Map<Tensor, Boolean> produced = new IdentityHashMap<>();
        for (Node n : nodes) {
            for (Tensor o : n.outputs()) {
                produced.put(o, Boolean.TRUE);
            }
        }
        grads.put(output, gradOutput);
        if (!produced.containsKey(output)) {
            accumulateLeaf(output, gradOutput);
        }
        try (NoGrad ignored = noGrad()) {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                nodes.set(i, null);
                Tensor[] outs = n.outputs();
                Tensor[] gOut = new Tensor[outs.length];
                boolean any = false;
                for (int k = 0; k < outs.length; k++) {
                    gOut[k] = grads.remove(outs[k]);
                    any |= gOut[k] != null;
                }
                if (!any) {
                    continue;
                }
                for (int k = 0; k < outs.length; k++) {
                    if (gOut[k] == null) {
                        gOut[k] = outs[k].backend().zeros(outs[k].shape());
                    }
                }
                Tensor[] ins = n.inputs();
                boolean[] needs = new boolean[ins.length];
                for (int k = 0; k < ins.length; k++) {
                    needs[k] = ins[k] != null && ins[k].requiresGrad();
                }
                markOverwritable(gOut, grads, gradOutput);
                Tensor[] gIn;
                try {
                    gIn = n.backward().apply(gOut, needs);
                } finally {
                    overwritable.clear();
                }
                for (int k = 0; k < ins.length; k++) {
                    if (needs[k] && gIn[k] != null && !gIn[k].shape().equals(ins[k].shape())) {
                        throw new IllegalStateException("backward of " + n.op() + " produced a gradient " + gIn[k].shape()
                                + " for input " + k + " of shape " + ins[k].shape());
                    }
                }
                accumulate(ins, needs, gIn, grads, produced);
                releaseConsumed(gOut, gIn, grads, gradOutput);
            }
        } finally {
            nodes.clear();
        }
    }

    /**
     * Whether the backward running now may overwrite {@code gradOutput}, one of its output gradients, with
     * a result (an input gradient of the same size): true when no other pending gradient, no other output
     * gradient of the node and not the caller's seed share its memory, so the tape would free it next.
     * A backward that reuses it saves a tensor of that size at the step's peak.
     */
    static boolean mayOverwrite(Tensor gradOutput) {
        Tape t = CURRENT.get();
        if (t == null) {
            return false;
        }
        for (Tensor g : t.overwritable) {
            if (g == gradOutput) {
                return true;
            }
        }
        return false;
    }

    private void markOverwritable(Tensor[] gOut, Map<Tensor, Tensor> grads, Tensor supplied) {
        for (int k = 0; k < gOut.length; k++) {
            Tensor g = gOut[k];
            boolean shared = g.isSameMemory(supplied);
            for (int j = 0; j < gOut.length; j++) {
                shared |= j != k && gOut[j].isSameMemory(g);
            }
            for (Tensor pending : grads.values()) {
                shared |= pending.isSameMemory(g);
            }
            if (!shared) {
                overwritable.add(g);
            }
        }
    }

    private static void accumulate(Tensor[] ins, boolean[] needs, Tensor[] gIn, Map<Tensor, Tensor> grads,
                                   Map<Tensor, Boolean> produced) {
        for (int k = 0; k < ins.length; k++) {
            if (!needs[k] || gIn[k] == null) {
                continue;
            }
            if (produced.containsKey(ins[k])) {
                Tensor prev = grads.get(ins[k]);
                grads.put(ins[k], prev == null ? gIn[k] : sum(prev, gIn[k]));
            } else {
                accumulateLeaf(ins[k], gIn[k]);
            }
        }
    }

    /**
     * Frees the output gradients a node has consumed, so a step's peak memory holds the gradient
     * frontier rather than every gradient. A gradient is kept when its memory lives on in an input
     * gradient (a pass-through or a view) or in another pending gradient, or when the caller supplied it.
     */
    private static void releaseConsumed(Tensor[] gOut, Tensor[] gIn, Map<Tensor, Tensor> grads, Tensor supplied) {
        for (Tensor g : gOut) {
            if (g == supplied || g.isReleased()) {
                continue;
            }
            boolean shared = false;
            for (Tensor in : gIn) {
                shared |= in != null && in.isSameMemory(g);
            }
            for (Tensor pending : grads.values()) {
                shared |= pending.isSameMemory(g);
            }
            if (!shared) {
                g.release();
            }
        }
    }

    private static Tensor sum(Tensor a, Tensor b) {
        Tensor s = a.backend().empty(a.shape());
        a.backend().binary(dev.spikevae.tensor.BinaryOp.ADD, a, b, s);
        return s;
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Backend be = leaf.backend();
        if (leaf.grad() == null) {
            leaf.setGrad(be.persistentZeros(leaf.shape()));
        }
        be.axpby(1f, g, 1f, leaf.grad());
    }

    /** Stops recording and drops the graph. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        nodes.clear();
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
    }
}
