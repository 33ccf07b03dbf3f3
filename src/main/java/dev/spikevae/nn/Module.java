package dev.spikevae.nn;

import dev.spikevae.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node of a network: named parameters, named buffers (state that is saved but not trained, such as
 * running statistics) and named child modules. Dotted paths through the tree are the checkpoint keys,
 * chosen to match the reference implementation's state-dict names.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Applies the module. Inputs and outputs of spiking layers are time-major. */
    public abstract Tensor forward(Tensor x);

    protected final Parameter addParameter(String name, Tensor value) {
        checkName(name);
        Parameter p = new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    protected final Tensor addBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    protected final <M extends Module> M addModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        module.train(training);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".") || parameters.containsKey(name) || buffers.containsKey(name)
                || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid or duplicate member name '" + name + "'");
        }
    }

    /** Every parameter of this tree by dotted path, in registration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    /** Every buffer of this tree by dotted path. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return Collections.unmodifiableMap(out);
    }

    /** Parameters and buffers by dotted path: what a checkpoint holds. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().value());
        }
        out.putAll(namedBuffers());
        return Collections.unmodifiableMap(out);
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out);
        }
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collectBuffers(prefix + e.getKey() + ".", out);
        }
    }

    /** Number of trainable values. */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) {
            n += p.numel();
        }
        return n;
    }

    /** Training mode (batch statistics in batch norm) or evaluation mode, for the whole tree. */
    public Module train(boolean on) {
        training = on;
        for (Module c : children.values()) {
            c.train(on);
        }
        return this;
    }

    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /**
     * Releases the memory of every parameter, its gradient and every buffer of this tree now (device memory is not
     * seen by the garbage collector). The module is unusable afterwards.
     */
    public final void release() {
        for (Parameter p : namedParameters().values()) {
            p.grad().release();
            p.value().release();
        }
        for (Tensor b : namedBuffers().values()) {
            b.release();
        }
    }

    /** Sets every parameter gradient to zero. */
    public final void zeroGrad() {
        for (Parameter p : namedParameters().values()) {
            p.grad().backend().fill(p.grad(), 0f);
        }
    }
}
