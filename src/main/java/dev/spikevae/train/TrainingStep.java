package dev.spikevae.train;

import dev.spikevae.autograd.Tape;
import dev.spikevae.data.Batch;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.Loss;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One optimiser step of a model on a batch: zero the gradients, forward, loss, backward, AdamW — inside a memory
 * scope, so a steady loop allocates nothing new. The trainer, the {@code bench} command and the GPU parity test run
 * this same step. A loss that is not finite stops the step before backward: nothing of the model or the optimizer
 * has changed when {@link NonFiniteLossException} is thrown.
 */
public final class TrainingStep {
    private final GenerativeModel model;
    private final AdamW optimizer;

    public TrainingStep(GenerativeModel model, AdamW optimizer) {
        this.model = model;
        this.optimizer = optimizer;
    }

    public GenerativeModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Runs the step; returns the loss ({@code loss}) then its terms by name, read back from the backend. */
    public Map<String, Double> run(Batch batch, StepContext context) {
        model.zeroGrad();
        Map<String, Double> values = new LinkedHashMap<>();
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = Batches.toTensor(model.backend(), batch);
            Loss loss = model.loss(model.forward(images, context), images);
            values.put("loss", (double) loss.total().item());
            for (Map.Entry<String, Tensor> t : loss.terms().entrySet()) {
                values.put(t.getKey(), (double) t.getValue().item());
            }
            if (!Double.isFinite(values.get("loss"))) {
                throw new NonFiniteLossException(values);
            }
            tape.backward(loss.total());
        }
        optimizer.step();
        return values;
    }

    /** The loss came out NaN or infinite; the step stopped before changing anything. */
    public static final class NonFiniteLossException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, Double> values;

        NonFiniteLossException(Map<String, Double> values) {
            super("loss is " + values.get("loss") + " " + values);
            this.values = Map.copyOf(values);
        }

        /** The loss and its terms as computed. */
        public Map<String, Double> values() {
            return values;
        }
    }
}
