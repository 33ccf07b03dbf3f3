package dev.spikevae.model;

import java.util.List;

/**
 * The spec's {@code model:} section for {@code type: esvae} (docs/reference.md §1–§5). The image shape comes from
 * the dataset: 32×32 gives the small network, 64×64 ESVAE-large.
 *
 * @param latent       latent size L (32 for MNIST/Fashion-MNIST, 128 for CIFAR-10/CelebA)
 * @param timesteps    simulation steps T (16)
 * @param spikeStorage how hidden spike tensors are stored: {@code u8} (a quarter of the memory) or {@code f32};
 *                     results are identical
 * @param neuron       the LIF neuron of every spiking layer
 * @param sampler      the latent sampler
 * @param lambda       weight λ of the MMD² term of the loss (0.001)
 * @param priorLrScale the prior ({@code sample_layer}) trains at {@code train.lr} times this (10)
 * @param mmdKernel    the distance between posterior and prior rates: {@code rbf} (the reference: five Gaussian
 *                     kernels, docs/reference.md §4) or {@code linear} (the squared distance of the batch means,
 *                     the published code's other {@code mmd_type})
 * @param priorMu      mean of the Gaussian noise fed to the prior (0; the published configs' {@code mu}, which
 *                     their code ignores)
 * @param priorVar     variance of that noise (1; the published configs' {@code var})
 */
public record EsvaeSettings(int latent, int timesteps, String spikeStorage, NeuronSettings neuron,
                            SamplerSettings sampler, double lambda, double priorLrScale, String mmdKernel,
                            double priorMu, double priorVar) {

    /** The reference's values; {@code latent} is MNIST's. */
    public static final EsvaeSettings REFERENCE = new EsvaeSettings(32, 16, "u8", NeuronSettings.REFERENCE,
            SamplerSettings.REFERENCE, 0.001, 10, "rbf", 0, 1);

    /** Values of {@code spike_storage}. */
    public static final List<String> SPIKE_STORAGES = List.of("u8", "f32");

    /** Values of {@code mmd_kernel}. */
    public static final List<String> MMD_KERNELS = List.of("rbf", "linear");

    public void validate() {
        if (latent < 1) {
            throw new SettingsException("latent", "must be > 0, got " + latent);
        }
        if (timesteps < 1) {
            throw new SettingsException("timesteps", "must be > 0, got " + timesteps);
        }
        if (!SPIKE_STORAGES.contains(spikeStorage)) {
            throw new SettingsException("spike_storage", "unknown value \"" + spikeStorage + "\"; expected one of "
                    + String.join(", ", SPIKE_STORAGES));
        }
        if (neuron == null) {
            throw new SettingsException("neuron", "is missing");
        }
        neuron.validate("neuron");
        if (sampler == null) {
            throw new SettingsException("sampler", "is missing");
        }
        sampler.validate("sampler");
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new SettingsException("lambda", "must be a finite number >= 0, got " + lambda);
        }
        if (!(priorLrScale > 0) || Double.isInfinite(priorLrScale)) {
            throw new SettingsException("prior_lr_scale", "must be a finite number > 0, got " + priorLrScale);
        }
        if (!MMD_KERNELS.contains(mmdKernel)) {
            throw new SettingsException("mmd_kernel", "unknown value \"" + mmdKernel + "\"; expected one of "
                    + String.join(", ", MMD_KERNELS));
        }
        if (!Double.isFinite(priorMu)) {
            throw new SettingsException("prior_mu", "must be a finite number, got " + priorMu);
        }
        if (!(priorVar > 0) || Double.isInfinite(priorVar)) {
            throw new SettingsException("prior_var", "must be a finite number > 0, got " + priorVar);
        }
    }

    public EsvaeSettings withLatent(int l) {
        return new EsvaeSettings(l, timesteps, spikeStorage, neuron, sampler, lambda, priorLrScale,
                mmdKernel, priorMu, priorVar);
    }

    public EsvaeSettings withTimesteps(int t) {
        return new EsvaeSettings(latent, t, spikeStorage, neuron, sampler, lambda, priorLrScale,
                mmdKernel, priorMu, priorVar);
    }

    public EsvaeSettings withSpikeStorage(String s) {
        return new EsvaeSettings(latent, timesteps, s, neuron, sampler, lambda, priorLrScale,
                mmdKernel, priorMu, priorVar);
    }

    public EsvaeSettings withLambda(double l) {
        return new EsvaeSettings(latent, timesteps, spikeStorage, neuron, sampler, l, priorLrScale,
                mmdKernel, priorMu, priorVar);
    }

    public EsvaeSettings withNeuron(NeuronSettings n) {
        return new EsvaeSettings(latent, timesteps, spikeStorage, n, sampler, lambda, priorLrScale,
                mmdKernel, priorMu, priorVar);
    }
}
