package dev.spikevae.train;

/**
 * Test-set figures in eval mode (tdBN running statistics, stochastic sampling): {@code mse} is the sum of
 * squared errors over the number of pixels of the whole set (image-weighted, docs/reference.md §10.15); {@code mmd}
 * and {@code loss} are batch values weighted by batch size; the rates are mean posterior/prior firing rates.
 */
public record EvalResult(int images, double mse, double mmd, double loss, double ratePosterior, double ratePrior) {}
