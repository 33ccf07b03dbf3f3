package dev.spikevae.train;

/** One training step: the loss terms of the batch, its size and its wall time. */
public record StepMetrics(double loss, double mse, double mmd, int images, double seconds) {}
