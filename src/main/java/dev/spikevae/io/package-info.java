/**
 * File formats and outputs: safetensors checkpoints ({@link dev.spikevae.io.Safetensors}), NumPy arrays and
 * archives ({@link dev.spikevae.io.Npy}, {@link dev.spikevae.io.Npz}), PNG image grids
 * ({@link dev.spikevae.io.ImageGrid}) and line charts ({@link dev.spikevae.io.LinePlot}).
 *
 * <p>Arrays cross this boundary as {@link dev.spikevae.io.HostArray} (shape + float data), independent of any
 * backend. Every writer goes through {@link dev.spikevae.io.AtomicFiles}, so an interrupted run never leaves a
 * half-written checkpoint or figure; every reader reports a malformed file as a
 * {@link dev.spikevae.io.FileFormatException} whose one-line message names the file and the fault.
 */
package dev.spikevae.io;
