package dev.spikevae.model;

import dev.spikevae.nn.Module;
import dev.spikevae.nn.Parameter;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every generative model of spikevae offers the layers above it (trainer, evaluator, sample grids,
 * checkpoints, runner, commands). They see nothing else of a model: a new model is a class implementing this
 * (usually by extending {@link Module}) plus a {@link ModelType} in {@link Models}.
 *
 * <p>Images are {@code [N, C, H, W]} float32 in [-1, 1]. Randomness comes only from the {@link StepContext}'s
 * stream, drawn in a fixed order, so the same stream state gives the same result on any backend.
 */
public interface GenerativeModel extends AutoCloseable {

    /** The registered type name ({@code esvae}, ...), as in a spec's {@code model.type}. */
    String type();

    /** The complete configuration: what a checkpoint stores to rebuild exactly this model. */
    ModelConfig config();

    /** The backend every tensor of the model lives on. */
    Backend backend();

    /**
     * The training forward pass (also used in evaluation): reconstructions plus whatever the model's loss needs.
     * {@code context.training()} must agree with {@link #isTraining()}; the caller sets the mode.
     */
    ModelOutput forward(Tensor images, StepContext context);

    /** The loss of a forward pass against its input images: the total that is minimised and its named terms. */
    Loss loss(ModelOutput output, Tensor images);

    /** {@code n} images {@code [n, C, H, W]} generated from the model's prior. */
    Tensor sample(int n, StepContext context);

    /** Encoding to and decoding from a spike-train latent, for the models that have one. */
    default Optional<SpikingLatent> spikingLatent() {
        return Optional.empty();
    }

    /**
     * The parameters split into optimiser groups, each with its learning-rate multiplier (ESVAE trains its prior
     * at ten times the rate). Together they hold every parameter exactly once.
     */
    List<ParameterGroup> parameterGroups();

    /** Whether {@link #countOperations} is supported (the operation counts of docs/reference.md §6.5). */
    default boolean countsOperations() {
        return false;
    }

    /**
     * From now on, forward passes add their operation counts (docs/reference.md §6.5) to {@code counts}; null stops
     * counting. Only for models whose {@link #countsOperations()} is true.
     */
    default void countOperations(OperationCounts counts) {
        throw new UnsupportedOperationException(type() + " does not count operations");
    }

    /**
     * Called when training starts, before the untrained model is evaluated, with the batches per epoch of the training
     * loader; the ANN VAE's {@code kld_weight} left to the data is {@code 1 / batchesPerEpoch} (docs/reference.md §8.5).
     */
    default void onTrainingData(int batchesPerEpoch) {
    }

    /** Called before each training epoch (1-based) of {@code epochs}; FSVAE's scheduled sampling follows it. */
    default void onEpochStart(int epoch, int epochs) {
    }

    // What the model's Module tree provides.

    /** Parameters and buffers by checkpoint key. */
    Map<String, Tensor> stateDict();

    Map<String, Parameter> namedParameters();

    long parameterCount();

    /** Training mode (batch statistics) or evaluation mode (running statistics). */
    Module train(boolean on);

    boolean isTraining();

    void zeroGrad();

    /** Releases the memory of the parameters, their gradients and the buffers; the model is unusable after. */
    @Override
    void close();
}
