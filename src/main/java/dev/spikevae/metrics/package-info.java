/**
 * Metrics computed from images and models under the published evaluation protocols (docs/reference.md §6,
 * docs/metrics.md): the Fréchet distance, FAD with the published autoencoders, firing rates and operation counts.
 */
package dev.spikevae.metrics;
