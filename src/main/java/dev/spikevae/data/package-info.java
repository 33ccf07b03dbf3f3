/**
 * Datasets and the data loader.
 *
 * <p>{@link dev.spikevae.data.Datasets#open} gives an {@link dev.spikevae.data.ImageDataset}: CHW floats in
 * [-1, 1], preprocessed as the reference does (docs/reference.md §5 and §15) — MNIST and Fashion-MNIST
 * resized from 28x28 to 32x32, CIFAR-10 as stored, CelebA centre-cropped to 148 and resized to 64x64, and the
 * embedded OpenCV digits padded to 28x28 and resized to 32x32. Resizing is {@link dev.spikevae.data.Resize},
 * bit-exact with the Pillow bilinear resize the reference runs (antialiased when downscaling); the 8-bit
 * result is scaled by {@code 2 * (v / 255) - 1} in float32, as {@code ToTensor} and the reference's
 * {@code 2x - 1} do, so every pixel is the reference's float.
 *
 * <p>{@link dev.spikevae.data.DataLoader} makes batches, its order and flips a pure function of
 * {@code (seed, epoch)}, read ahead on a daemon thread.
 *
 * <p>Files that do not match their format (magic, dimensions, byte length, record count) fail with a
 * {@link dev.spikevae.data.DatasetException} whose one-line message names the file and what was expected.
 */
package dev.spikevae.data;
