package dev.spikevae.metrics;

import dev.spikevae.autograd.Tape;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * FID under clean-fid's "clean" protocol, as the published evaluation calls it (docs/reference.md §6.3,
 * docs/metrics.md): generated images in [-1, 1] become {@code (x + 1) / 2 · 255}, grey repeated to three channels;
 * each channel is resized to 299×299 by Pillow's float bicubic ({@link PillowBicubic}) and clipped to [0, 255]; the
 * 2048-d pool features of clean-fid's Inception ({@link Features}, an exported ONNX graph) of 5,000 samples — 40
 * batches of 128, the first 5,000 kept — are compared with the reference statistics
 * {@code <dataset>_clean_custom_na.npz} by the Fréchet distance. This class names no ONNX Runtime type.
 */
public final class Fid {
    /** Inception's input size. */
    public static final int SIZE = 299;
    /** clean-fid keeps exactly this many generated features. */
    public static final int SAMPLES = 5000;
    /** The generator is called with batches of this many (the published call's batch_size). */
    public static final int GENERATOR_BATCH = 128;
    /** Images sent to the network at once (memory only: features do not depend on it). */
    static final int NETWORK_BATCH = 32;

    private Fid() {}

    /** The feature network: images {@code [n, 3, 299, 299]} in [0, 255] to features {@code [n, d]}, row-major. */
    public interface Features {
        float[] features(float[] prepared, int n);

        String source();
    }

    /** The distance, how many images it was computed from, and their feature statistics. */
    public record Result(double value, int images, GaussianStats features) {}

    /** The reference statistics' file the published evaluation uses for {@code dataset}. */
    public static String statsFile(String dataset) {
        String stem = switch (dataset == null ? "" : Fad.canonical(dataset)) {
            case "mnist" -> "mnist_test";
            case "fashion-mnist" -> "fashion_test";
            case "cifar10" -> "cifar10_test";
            case "celeba" -> "celeba_valid";
            default -> throw new IllegalArgumentException("FID has no reference statistics for dataset '" + dataset
                    + "': one of mnist, fashion-mnist, cifar10, celeba (or give the statistics file itself)");
        };
        return stem + "_clean_custom_na.npz";
    }

    /**
     * Reads the reference statistics: {@code stats} when given, else a missing-file error naming the file the
     * published evaluation uses for {@code dataset} and where it comes from.
     */
    public static GaussianStats reference(String dataset, Path stats, String option) throws IOException {
        if (stats == null || !java.nio.file.Files.isRegularFile(stats)) {
            String expected;
            try {
                expected = statsFile(dataset);
            } catch (IllegalArgumentException e) {
                expected = "<dataset>_clean_custom_na.npz";
            }
            throw new NoSuchFileException(stats == null ? expected : stats.toString(), null, "FID compares with "
                    + "clean-fid's reference statistics " + expected + " (arrays mu [2048] and sigma [2048, 2048]): "
                    + "a user-supplied file, from the published ESVAE repository's metrics/stats_fid/ (docs/metrics.md, "
                    + "FID); pass it as " + option + " FILE");
        }
        return GaussianStats.read(stats);
    }

    /**
     * clean-fid's input of one image {@code [c, h, w]} in [-1, 1] (c = 1 or 3) at {@code images[at]}: written to
     * {@code out[outAt]} as {@code [3, 299, 299]} in [0, 255].
     */
    public static void prepare(float[] images, int at, int c, int h, int w, float[] out, int outAt) {
        int plane = h * w;
        int outPlane = SIZE * SIZE;
        float[] channel = new float[plane];
        for (int ch = 0; ch < 3; ch++) {
            int src = at + (c == 1 ? 0 : ch) * plane;
            int dst = outAt + ch * outPlane;
            if (c == 1 && ch > 0) {
                System.arraycopy(out, outAt, out, dst, outPlane);
                continue;
            }
            for (int p = 0; p < plane; p++) {
                channel[p] = (images[src + p] + 1) / 2 * 255;
            }
            PillowBicubic.resize(channel, 0, h, w, out, dst, SIZE, SIZE);
            for (int p = dst; p < dst + outPlane; p++) {
                out[p] = Math.min(255f, Math.max(0f, out[p]));
            }
        }
    }

    /**
     * Features {@code [n, d]} of images {@code [N, C, H, W]} (or {@code [N, H, W]}) in [-1, 1], any size, in order.
     *
     * @throws IllegalArgumentException naming {@code what} when the shape or the value range is not the expected one
     */
    public static float[] featuresOf(float[] images, long[] shape, Features net, String what) {
        boolean ok = (shape.length == 4 && (shape[1] == 1 || shape[1] == 3)) || shape.length == 3;
        if (!ok || shape[shape.length - 1] < 1 || shape[shape.length - 2] < 1) {
            throw new IllegalArgumentException(what + ": images of shape " + Arrays.toString(shape) + "; FID expects "
                    + "[N, 1 or 3, H, W] or [N, H, W] (float, in [-1, 1]; any size, resized to 299×299)");
        }
        Fad.checkRange(images, what);
        int n = (int) shape[0];
        int c = shape.length == 4 ? (int) shape[1] : 1;
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        return features(images, n, c, h, w, net);
    }

    static float[] features(float[] images, int n, int c, int h, int w, Features net) {
        int per = c * h * w;
        int prepared = 3 * SIZE * SIZE;
        float[] out = null;
        int d = 0;
        for (int start = 0; start < n; start += NETWORK_BATCH) {
            int m = Math.min(NETWORK_BATCH, n - start);
            float[] x = new float[m * prepared];
            for (int i = 0; i < m; i++) {
                prepare(images, (start + i) * per, c, h, w, x, i * prepared);
            }
            float[] f = net.features(x, m);
            if (out == null) {
                d = f.length / m;
                out = new float[n * d];
            }
            System.arraycopy(f, 0, out, start * d, m * d);
        }
        return out == null ? new float[0] : out;
    }

    /** FID of given images in [-1, 1] (all of them, in order) against {@code reference}. */
    public static Result ofImages(float[] images, long[] shape, Features net, GaussianStats reference, String what) {
        int n = (int) shape[0];
        if (n < 2) {
            throw new IllegalArgumentException(what + ": " + n + " image(s); a covariance needs at least 2");
        }
        float[] f = featuresOf(images, shape, net, what);
        return fromFeatures(f, n, reference, what);
    }

    /**
     * FID of {@code samples} of {@code model}'s samples (the protocol: {@link #SAMPLES}), drawn from its prior in
     * evaluation mode with {@code rng} in batches of {@link #GENERATOR_BATCH}, the first {@code samples} kept.
     */
    public static Result ofModel(GenerativeModel model, Features net, GaussianStats reference, Rng rng, int epoch,
                                 int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("FID: " + samples + " samples; a covariance needs at least 2");
        }
        boolean wasTraining = model.isTraining();
        model.train(false);
        StepContext context = StepContext.evaluation(rng, epoch);
        float[] feats = null;
        int d = 0;
        int have = 0;
        try (Tape.NoGrad ng = Tape.noGrad()) {
            while (have < samples) {
                float[] px;
                int[] s;
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor x = model.sample(GENERATOR_BATCH, context);
                    px = x.toHost();
                    s = x.shape().dims();
                }
                int keep = Math.min(GENERATOR_BATCH, samples - have);
                float[] f = features(px, keep, s[1], s[2], s[3], net);
                if (feats == null) {
                    d = f.length / keep;
                    feats = new float[samples * d];
                }
                System.arraycopy(f, 0, feats, have * d, keep * d);
                have += keep;
            }
        } finally {
            model.train(wasTraining);
        }
        return fromFeatures(feats, samples, reference, model.type() + " samples");
    }

    /** FID of {@code n} feature rows (row-major) against {@code reference}. */
    public static Result fromFeatures(float[] feats, int n, GaussianStats reference, String source) {
        int d = feats.length / n;
        if (d != reference.dimension()) {
            throw new IllegalArgumentException("FID: the network gives " + d + " features but the statistics "
                    + reference.source() + " are of dimension " + reference.dimension());
        }
        GaussianStats generated = GaussianStats.of(feats, n, d, source);
        return new Result(FrechetDistance.between(generated, reference), n, generated);
    }
}
