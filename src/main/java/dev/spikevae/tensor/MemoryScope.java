package dev.spikevae.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * An arena for the temporaries of one unit of work (typically one training step): every tensor
 * allocated on this thread while the scope is open is released when it closes, so its memory goes back
 * to the backend's pool and is reused by the next step without garbage collection or device mallocs.
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = model.loss(batch);
 *     ...
 *     result = loss.keep();   // survives into the enclosing scope (or becomes unscoped)
 * }
 * }</pre>
 *
 * Scopes nest; {@link Tensor#keep()} moves a tensor's storage to the enclosing scope. Tensors created
 * with no scope open are unscoped: they live until {@link Tensor#release()} or, on the CPU, until the
 * garbage collector takes them. Parameters and optimizer state are created unscoped.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<Deque<MemoryScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Storage> owned = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private MemoryScope() {
    }

    /** Opens a scope on the current thread. */
    public static MemoryScope open() {
        MemoryScope s = new MemoryScope();
        STACK.get().push(s);
        return s;
    }

    /** The innermost open scope of this thread, or {@code null}. */
    public static MemoryScope current() {
        return STACK.get().peek();
    }

    /** Called by backends for each new storage: the current scope, if any, takes ownership. */
    public static void register(Storage storage) {
        MemoryScope s = current();
        if (s != null) {
            s.owned.add(storage);
        }
    }

    /** Number of storages owned (for tests and diagnostics). */
    public int size() {
        return owned.size();
    }

    void keep(Storage storage) {
        if (!owned.remove(storage)) {
            return; // already kept, or owned by an outer scope: nothing to do
        }
        Deque<MemoryScope> stack = STACK.get();
        boolean passedSelf = false;
        for (MemoryScope s : stack) {
            if (passedSelf) {
                s.owned.add(storage);
                return;
            }
            passedSelf = s == this;
        }
    }

    static void keepFromCurrentScopes(Storage storage) {
        for (MemoryScope s : STACK.get()) {
            if (s.owned.contains(storage)) {
                s.keep(storage);
                return;
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a MemoryScope must be closed on the thread that opened it");
        }
        Deque<MemoryScope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("MemoryScope closed out of order: close inner scopes first");
        }
        stack.pop();
        closed = true;
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).release();
        }
        owned.clear();
    }
}
