package dev.spikevae.train;

/**
 * AdamW's settings from a spec's {@code train:} section (PyTorch's {@code torch.optim.AdamW} arithmetic).
 *
 * @param lr          the base (effective) learning rate; each parameter group scales it
 * @param weightDecay decoupled weight decay, every group
 * @param beta1       first-moment decay
 * @param beta2       second-moment decay
 * @param eps         denominator term
 */
public record OptimizerSettings(double lr, double weightDecay, double beta1, double beta2, double eps) {
}
