package dev.spikevae.model;

/**
 * The spec's {@code model:} section for {@code type: ann-vae}, the non-spiking VAE baseline (docs/reference.md §8.5).
 * The image shape comes from the dataset: 32×32 gives the small network, 64×64 the large one (CelebA).
 *
 * @param latent     size of the Gaussian latent (128)
 * @param kldWeight  weight of the KL term; the published code uses {@code 1 / (batches per training epoch)}, so a
 *                   spec writes the value its data and batch size give (Fashion-MNIST at batch 250: 1/240)
 * @param leakySlope negative slope of the LeakyReLU activations (PyTorch's default 0.01)
 */
public record AnnVaeSettings(int latent, double kldWeight, double leakySlope) {

    /** The published values at MNIST's batches per epoch (60,000 / 250 = 240). */
    public static final AnnVaeSettings REFERENCE = new AnnVaeSettings(128, 1.0 / 240, 0.01);

    public void validate() {
        if (latent < 1) {
            throw new SettingsException("latent", "must be > 0, got " + latent);
        }
        if (!(kldWeight >= 0) || Double.isInfinite(kldWeight)) {
            throw new SettingsException("kld_weight", "must be a finite number >= 0, got " + kldWeight);
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
