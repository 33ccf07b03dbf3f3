package dev.spikevae.metrics;

import dev.spikevae.autograd.Tape;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * FAD, the autoencoder Fréchet distance of the published evaluation (docs/metrics.md, docs/reference.md §6.4):
 * images in [-1, 1] at their native size go through the encoder of the dataset's published autoencoder in batches of
 * 128 (BatchNorm with each batch's statistics); the mean and covariance of the features are compared with the
 * reference statistics of the test set. A model is scored on 40 batches of 128 samples, 5,120 images.
 */
public final class Fad {
    /** The protocol's batch: BatchNorm statistics are those of 128 images. */
    public static final int BATCH_SIZE = 128;
    /** ceil(5000 / 128): 5,120 generated images, all kept. */
    public static final int BATCHES = 40;
    /** Where the shipped encoders and statistics live on the class path. */
    static final String RESOURCES = "/dev/spikevae/metrics/fad/";

    private Fad() {}

    /** An encoder and the reference statistics it is compared with. */
    public record Setup(FadEncoder encoder, GaussianStats reference, String dataset) implements AutoCloseable {
        @Override
        public void close() {
            encoder.release();
        }
    }

    /** The distance, how many images it was computed from, and their feature statistics. */
    public record Result(double value, int images, GaussianStats features) {}

    /** What the published evaluation uses per dataset: the encoder's file stem and the statistics' file stem. */
    record Published(String weights, String stats, int stages, boolean shipped) {}

    static Published filesFor(String dataset) {
        return switch (canonical(dataset)) {
            case "mnist" -> new Published("mnist_64", "mnist_test_64", 4, true);
            case "fashion-mnist" -> new Published("fashion_64", "fashion_test_64", 4, true);
            case "cifar10" -> new Published("cifar10_128", "cifar10_test_128", 4, false);
            case "celeba" -> new Published("celeba_128", "celeba_test_128", 5, false);
            default -> throw new IllegalArgumentException("FAD has no autoencoder for dataset '" + dataset
                    + "': one of mnist, fashion-mnist, cifar10, celeba (or give --fad-weights and --fad-stats; eval: --fad-dataset)");
        };
    }

    static String canonical(String dataset) {
        String d = dataset == null ? "" : dataset.strip().toLowerCase(Locale.ROOT);
        return d.equals("fashion") || d.equals("fashionmnist") ? "fashion-mnist" : d;
    }

    /**
     * The encoder and statistics for {@code dataset}: the shipped ones for MNIST and Fashion-MNIST; for CIFAR-10 and
     * CelebA the weights are the user's ({@code weights}, converted by {@code tools/convert_fad_autoencoder.py}) and
     * the statistics shipped. {@code weights} or {@code stats} (may be null) replace the shipped files.
     */
    public static Setup setup(Backend backend, String dataset, Path weights, Path stats) throws IOException {
        FadEncoder encoder;
        GaussianStats reference;
        String name;
        if (weights != null && stats != null && !isKnown(dataset)) {
            name = dataset == null ? "custom" : dataset;
            encoder = FadEncoder.load(backend, weights);
            reference = GaussianStats.read(stats);
        } else {
            Published f = filesFor(dataset);
            name = canonical(dataset);
            if (weights != null) {
                encoder = FadEncoder.load(backend, weights);
            } else if (f.shipped()) {
                encoder = FadEncoder.loadResource(backend, RESOURCES + f.weights() + ".safetensors");
            } else {
                throw new NoSuchFileException(f.weights() + ".safetensors", null, "FAD on " + name + " needs the "
                        + "published autoencoder " + f.weights() + ".pth (a large file of the ESVAE/FSVAE repositories, "
                        + "metrics/stat_checkpoints/), converted once with: python3 tools/convert_fad_autoencoder.py "
                        + f.weights() + ".pth " + f.weights() + ".safetensors, then passed as --fad-weights "
                        + f.weights() + ".safetensors");
            }
            reference = stats != null ? GaussianStats.read(stats)
                    : GaussianStats.readResource(RESOURCES + f.stats() + ".npz");
        }
        if (reference.dimension() != encoder.featureSize()) {
            encoder.release();
            throw new IllegalArgumentException("FAD: the encoder gives " + encoder.featureSize() + " features but the "
                    + "statistics " + reference.source() + " are of dimension " + reference.dimension());
        }
        return new Setup(encoder, reference, name);
    }

    private static boolean isKnown(String dataset) {
        try {
            filesFor(dataset);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * FAD of {@code model}'s samples: {@code batches} batches of {@link #BATCH_SIZE} drawn from its prior in
     * evaluation mode with {@code rng}, each encoded with its own BatchNorm statistics.
     */
    public static Result ofModel(GenerativeModel model, Setup setup, Rng rng, int epoch, int batches) {
        FadEncoder enc = setup.encoder();
        if (enc.backend() != model.backend()) {
            throw new IllegalArgumentException("FAD: the encoder and the model must be on the same backend");
        }
        boolean wasTraining = model.isTraining();
        model.train(false);
        StepContext context = StepContext.evaluation(rng, epoch);
        int d = enc.featureSize();
        float[] feats = new float[batches * BATCH_SIZE * d];
        try (Tape.NoGrad ng = Tape.noGrad()) {
            for (int b = 0; b < batches; b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor images = model.sample(BATCH_SIZE, context);
                    float[] f = enc.features(images);
                    System.arraycopy(f, 0, feats, b * BATCH_SIZE * d, f.length);
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return finish(feats, batches * BATCH_SIZE, setup, model.type() + " samples");
    }

    /**
     * FAD of given images {@code [N, C, S, S]} (or {@code [N, S, S]} for one channel) in [-1, 1], at the encoder's
     * size, encoded in consecutive batches of {@link #BATCH_SIZE} (the last one may be smaller), in order.
     */
    public static Result ofImages(float[] pixels, long[] shape, Setup setup, String source) {
        FadEncoder enc = setup.encoder();
        int c = enc.inChannels();
        int s = enc.imageSize();
        boolean ok = (shape.length == 4 && shape[1] == c && shape[2] == s && shape[3] == s)
                || (shape.length == 3 && c == 1 && shape[1] == s && shape[2] == s);
        if (!ok) {
            throw new IllegalArgumentException(source + ": images of shape " + Arrays.toString(shape) + "; FAD on "
                    + setup.dataset() + " expects [N, " + c + ", " + s + ", " + s + "]"
                    + (c == 1 ? " or [N, " + s + ", " + s + "]" : "") + " (float, in [-1, 1])");
        }
        int n = (int) shape[0];
        if (n < 2) {
            throw new IllegalArgumentException(source + ": " + n + " image(s); a covariance needs at least 2");
        }
        checkRange(pixels, source);
        int per = c * s * s;
        int d = enc.featureSize();
        float[] feats = new float[n * d];
        Backend backend = enc.backend();
        for (int start = 0; start < n; start += BATCH_SIZE) {
            int m = Math.min(BATCH_SIZE, n - start);
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor batch = backend.fromHost(Arrays.copyOfRange(pixels, start * per, (start + m) * per), m, c, s, s);
                float[] f = enc.features(batch);
                System.arraycopy(f, 0, feats, start * d, f.length);
            }
        }
        return finish(feats, n, setup, source);
    }

    /** Images must lie in [-1, 1]; images in [0, 1] or [0, 255] are the usual mistake, and the message says so. */
    static void checkRange(float[] pixels, String source) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : pixels) {
            if (Float.isNaN(v)) {
                throw new IllegalArgumentException(source + ": the images contain NaN");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float tol = 1e-5f;
        if (min < -1 - tol || max > 1 + tol) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: pixel values range over [%g, %g]; "
                    + "expected [-1, 1] (from [0, 255]: x / 127.5 - 1; from [0, 1]: 2x - 1)", source, min, max));
        }
    }

    private static Result finish(float[] feats, int n, Setup setup, String source) {
        GaussianStats generated = GaussianStats.of(feats, n, setup.encoder().featureSize(), source);
        return new Result(FrechetDistance.between(generated, setup.reference()), n, generated);
    }
}
