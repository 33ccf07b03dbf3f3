package dev.spikevae.model;

/**
 * The spec's {@code model:} section for {@code type: ann-vae}, the non-spiking VAE baseline (docs/reference.md §8.5).
 * The image shape comes from the dataset: 32×32 gives the small network, 64×64 the large one (CelebA).
 *
 * @param latent     size of the Gaussian latent (128)
 * @param kldWeight  weight of the KL term, or {@link #AUTO} (NaN; a spec that leaves {@code kld_weight} out): the
 *                   published {@code 1 / len(train loader)}, the batches per training epoch after
 *                   {@code data.train_limit} and {@code data.drop_last}, which the model learns when training starts
 *                   ({@link GenerativeModel#onTrainingData})
 * @param leakySlope negative slope of the LeakyReLU activations (PyTorch's default 0.01)
 */
public record AnnVaeSettings(int latent, double kldWeight, double leakySlope) {

    /** {@code kld_weight} left to the training data: 1 / batches per training epoch. */
    public static final double AUTO = Double.NaN;

    /** The published values at MNIST's batches per epoch (60,000 / 250 = 240). */
    public static final AnnVaeSettings REFERENCE = new AnnVaeSettings(128, 1.0 / 240, 0.01);

    /** Whether the KL weight is {@link #AUTO}. */
    public boolean kldWeightAuto() {
        return Double.isNaN(kldWeight);
    }

    public void validate() {
        if (latent < 1) {
            throw new SettingsException("latent", "must be > 0, got " + latent);
        }
        if (!kldWeightAuto() && (!(kldWeight >= 0) || Double.isInfinite(kldWeight))) {
            throw new SettingsException("kld_weight", "must be a finite number >= 0 (or left out: 1 / batches per "
                    + "training epoch), got " + kldWeight);
        }
        if (!(leakySlope >= 0) || Double.isInfinite(leakySlope)) {
            throw new SettingsException("leaky_slope", "must be a finite number >= 0, got " + leakySlope);
        }
    }

    public AnnVaeSettings withLatent(int l) {
        return new AnnVaeSettings(l, kldWeight, leakySlope);
    }

    public AnnVaeSettings withKldWeight(double w) {
        return new AnnVaeSettings(latent, w, leakySlope);
    }
}
