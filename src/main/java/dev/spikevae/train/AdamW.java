package dev.spikevae.train;

import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.ParameterGroup;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.AdamWParams;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW over parameter groups (PyTorch's {@code torch.optim.AdamW} arithmetic, one fused backend op per
 * parameter). Each group has its own learning rate and weight decay; a model says which groups it has
 * ({@link GenerativeModel#parameterGroups()}): ESVAE's prior ({@code sample_layer.*}) trains at 10× the rate.
 */
public final class AdamW implements AutoCloseable {
    /** A named group of parameters sharing a learning rate and weight decay. */
    public record Group(String name, Map<String, Parameter> parameters, double lr, double weightDecay) {
        public Group {
            if (!(lr >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW group '" + name + "': lr " + lr + " and weight decay "
                        + weightDecay + " must be non-negative");
            }
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
    }

    private final List<Group> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    /** First and second moments by parameter name; persistent buffers of the parameter's shape. */
    private final Map<String, Tensor[]> moments = new LinkedHashMap<>();
    private long step;

    public AdamW(List<Group> groups, double beta1, double beta2, double eps) {
        this.groups = List.copyOf(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (Group g : this.groups) {
            for (Map.Entry<String, Parameter> e : g.parameters().entrySet()) {
                Tensor value = e.getValue().value();
                Backend be = value.backend();
                Tensor[] mv = {be.persistentZeros(value.shape()), be.persistentZeros(value.shape())};
                if (moments.put(e.getKey(), mv) != null) {
                    throw new IllegalArgumentException("AdamW: parameter '" + e.getKey() + "' is in two groups");
                }
            }
        }
    }

    /** AdamW over the model's parameter groups: each at {@code lr} times the group's scale, the same weight decay. */
    public static AdamW forModel(GenerativeModel model, OptimizerSettings s) {
        List<Group> groups = new ArrayList<>();
        for (ParameterGroup g : model.parameterGroups()) {
            groups.add(new Group(g.name(), g.parameters(), s.lr() * g.lrScale(), s.weightDecay()));
        }
        return new AdamW(groups, s.beta1(), s.beta2(), s.eps());
    }

    public List<Group> groups() {
        return groups;
    }

    /** Number of steps taken so far (the bias-correction step of the next update is this plus one). */
    public long stepCount() {
        return step;
    }

    /** Applies one update to every parameter from its accumulated gradient. */
    public void step() {
        step++;
        for (Group g : groups) {
            AdamWParams p = new AdamWParams((float) g.lr(), (float) beta1, (float) beta2, (float) eps,
                    (float) g.weightDecay(), step);
            for (Map.Entry<String, Parameter> e : g.parameters().entrySet()) {
                Parameter param = e.getValue();
                Tensor[] mv = moments.get(e.getKey());
                param.value().backend().adamW(param.value(), param.grad(), mv[0], mv[1], p);
            }
        }
    }

    /** The moment buffers by name: {@code exp_avg.<param>} and {@code exp_avg_sq.<param>} (PyTorch's names). */
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor[]> e : moments.entrySet()) {
            out.put("exp_avg." + e.getKey(), e.getValue()[0]);
            out.put("exp_avg_sq." + e.getKey(), e.getValue()[1]);
        }
        return out;
    }

    /** Restores the step count (moment values are restored in place through {@link #stateTensors()}). */
    public void setStepCount(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("AdamW step count must be >= 0, got " + steps);
        }
        this.step = steps;
    }

    /** Releases the moment buffers (device memory is not seen by the garbage collector); unusable after. */
    @Override
    public void close() {
        for (Tensor[] mv : moments.values()) {
            mv[0].release();
            mv[1].release();
        }
    }

    /** Every parameter of every group, by name. */
    public List<String> parameterNames() {
        return new ArrayList<>(moments.keySet());
    }
}
