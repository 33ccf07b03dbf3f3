package dev.spikevae.cli;

import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.metrics.Fad;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import dev.spikevae.tensor.Rng;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code spikevae score}: a metric of any set of images under the published protocol (docs/metrics.md). */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score a set of images with a metric of the published evaluation (docs/metrics.md): generated "
                + "images saved as .npy (from sample --npy or another tool), or a dataset's own images.",
                "fad: the autoencoder Fréchet distance against the dataset's test statistics; the MNIST and "
                        + "Fashion-MNIST autoencoders ship with spikevae, CIFAR-10 and CelebA need --fad-weights. "
                        + "Images are float in [-1, 1] at the dataset's size (32×32; CelebA 64×64), encoded in "
                        + "batches of 128 in file order.",
                "is: the Inception Score (--is-model), fid: clean-fid's FID (--fid-model, --fid-stats) of --images or "
                        + "--real; both need ONNX Runtime on SPIKEVAE_CLASSPATH (docs/metrics.md)."})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--metric", required = true, description = "fad, is or fid (docs/metrics.md).")
    String metric;

    @Option(names = "--dataset", description = "FAD: whose autoencoder and reference statistics: mnist, "
            + "fashion-mnist, cifar10 or celeba; FID: which statistics file to name when --fid-stats is missing, and "
            + "the dataset of --real.")
    String dataset;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--images", paramLabel = "FILE.npy|DIR", description = "Images [N, C, H, W] (or [N, H, W]) "
                + "float in [-1, 1]: one .npy, or a folder whose .npy files are read in name order and concatenated.")
        Path images;

        @Option(names = "--real", paramLabel = "SPLIT", description = "Score the dataset's own train or test images, "
                + "prepared as for training (e.g. Fashion-MNIST resized to 32×32 by Pillow-style bilinear).")
        String real;

        @Option(names = "--noise", paramLabel = "N", description = "Score N images of uniform noise in [-1, 1] at the "
                + "dataset's size (a reference point: how far from the data pure noise is), drawn with --seed.")
        Integer noise;
    }

    @Option(names = "--seed", description = "Seed of --noise (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    long seed;

    @Option(names = "--data-root", paramLabel = "DIR", description = "Data root for --real (default: $SPIKEVAE_DATA, "
            + "or the dataset's default).")
    Path dataRoot;

    @Option(names = "--limit", description = "Score only the first N images.")
    Integer limit;

    @Option(names = "--save-images", paramLabel = "FILE.npy", description = "Also write the images scored as .npy "
            + "(with --real: the prepared dataset images, to compare with other tools).")
    Path saveImages;

    @Option(names = "--fad-weights", paramLabel = "FILE", description = "FAD encoder converted by "
            + "tools/convert_fad_autoencoder.py (default: the shipped one for mnist and fashion-mnist).")
    Path fadWeights;

    @Option(names = "--fad-stats", paramLabel = "FILE.npz", description = "Reference statistics with 'mu' and "
            + "'sigma' (default: the shipped *_test_* file of the dataset).")
    Path fadStats;

    @Option(names = "--is-model", paramLabel = "FILE.onnx", description = "IS: the classifier exported by "
            + "tools/export_inception.py (needs ONNX Runtime on SPIKEVAE_CLASSPATH).")
    Path isModel;

    @Option(names = "--save-probabilities", paramLabel = "FILE.npy", description = "IS: also write the class "
            + "probabilities [N, classes] (to compare with other tools).")
    Path saveProbabilities;

    @Option(names = "--fid-model", paramLabel = "FILE.onnx", description = "FID: clean-fid's Inception exported by "
            + "tools/export_inception.py fid (needs ONNX Runtime on SPIKEVAE_CLASSPATH).")
    Path fidModel;

    @Option(names = "--fid-stats", paramLabel = "FILE.npz", description = "FID: the reference statistics "
            + "<dataset>_clean_custom_na.npz (arrays mu and sigma).")
    Path fidStats;

    @Option(names = "--save-features", paramLabel = "FILE.npy", description = "FID: also write the features "
            + "[N, d] (to compare with other tools).")
    Path saveFeatures;

    @Option(names = "--splits", description = "IS: groups the images are split into (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int splits;

    @Option(names = "--device", description = "auto, cpu or cuda (default: $SPIKEVAE_DEVICE or auto).")
    String device;

    @Override
    public Integer call() throws Exception {
        String m = metric.strip().toLowerCase(Locale.ROOT);
        if (m.equals("fid")) {
            return fid();
        }
        if (m.equals("is")) {
            return inceptionScore();
        }
        if (!m.equals("fad")) {
            throw new IllegalArgumentException("--metric: expected fad, is or fid, got '" + metric + "'");
        }
        if (dataset == null) {
            throw new IllegalArgumentException("--metric fad needs --dataset (mnist, fashion-mnist, cifar10 or celeba)");
        }
        Backend backend = Backends.select(device, Main.backendOptions());
        try (Fad.Setup setup = Fad.setup(backend, dataset, fadWeights, fadStats)) {
            HostArray images;
            String what;
            if (source.images != null) {
                images = readImages(source.images);
                what = source.images.toString();
            } else if (source.noise != null) {
                images = noise(setup.encoder().inChannels(), setup.encoder().imageSize());
                what = source.noise + " uniform noise images (seed " + seed + ")";
            } else {
                images = datasetImages();
                what = dataset + "/" + source.real;
            }
            images = limitedAndSaved(images);
            Fad.Result r = Fad.ofImages(images.data(), images.shape(), setup, what);
            System.out.println(String.format(Locale.ROOT, "fad %.6f  (%s, %d images, against %s)", r.value(), what,
                    r.images(), setup.reference().source()));
        }
        return 0;
    }

    /** The first --limit images (at least 2, as a covariance needs), written to --save-images when asked. */
    private HostArray limitedAndSaved(HostArray images) throws IOException {
        if (limit != null) {
            if (limit < 2) {
                throw new IllegalArgumentException("--limit must be >= 2, got " + limit);
            }
            images = firstN(images, limit);
        }
        if (saveImages != null) {
            Npy.write(saveImages, images);
        }
        return images;
    }

    private Integer inceptionScore() throws IOException {
        if (isModel == null) {
            throw new IllegalArgumentException("--metric is needs --is-model FILE.onnx: export torchvision's Inception-v3 "
                    + "once with: python3 tools/export_inception.py is inception_v3_is.onnx");
        }
        if (source.images == null) {
            throw new IllegalArgumentException("--metric is scores --images FILE.npy|DIR");
        }
        HostArray images = readImages(source.images);
        if (limit != null) {
            images = firstN(images, limit);
        }
        dev.spikevae.metrics.OnnxRuntimeCheck.requireIsGraph(isModel); // before any ONNX Runtime class loads
        try (dev.spikevae.metrics.IsNetwork net = dev.spikevae.metrics.IsNetwork.open(isModel)) {
            float[] probs = net.probabilitiesOf(images.data(), images.shape(), 64, source.images.toString())[0];
            int n = (int) images.shape()[0];
            if (saveProbabilities != null) {
                Npy.write(saveProbabilities, new HostArray(new long[] {n, probs.length / n}, probs));
            }
            dev.spikevae.metrics.InceptionScore.Result r = dev.spikevae.metrics.InceptionScore.fromProbabilities(probs,
                    n, probs.length / n, splits);
            System.out.println(String.format(Locale.ROOT, "is %.6f  std %.6f  (%s, %d images in %d splits)", r.mean(),
                    r.std(), source.images, images.shape()[0], splits));
        }
        return 0;
    }

    private Integer fid() throws IOException {
        if (source.noise != null) {
            throw new IllegalArgumentException("--metric fid scores --images FILE.npy|DIR or --real SPLIT");
        }
        if (source.real != null && dataset == null) {
            throw new IllegalArgumentException("--real needs --dataset");
        }
        dev.spikevae.metrics.GaussianStats reference = dev.spikevae.metrics.Fid.reference(dataset, fidStats,
                "--fid-stats");
        HostArray images;
        String what;
        if (source.images != null) {
            images = readImages(source.images);
            what = source.images.toString();
        } else {
            images = datasetImages();
            what = dataset + "/" + source.real;
        }
        images = limitedAndSaved(images);
        dev.spikevae.metrics.OnnxRuntimeCheck.requireFidGraph(fidModel); // before any ONNX Runtime class loads
        try (dev.spikevae.metrics.FidNetwork net = dev.spikevae.metrics.FidNetwork.open(fidModel)) {
            int n = (int) images.shape()[0];
            if (n < 2) {
                throw new IllegalArgumentException(what + ": " + n + " image(s); a covariance needs at least 2");
            }
            float[] f = dev.spikevae.metrics.Fid.featuresOf(images.data(), images.shape(), net, what);
            if (saveFeatures != null) {
                Npy.write(saveFeatures, new HostArray(new long[] {n, f.length / n}, f));
            }
            dev.spikevae.metrics.Fid.Result r = dev.spikevae.metrics.Fid.fromFeatures(f, n, reference, what);
            System.out.println(String.format(Locale.ROOT, "fid %.6f  (%s, %d images, against %s)", r.value(), what,
                    r.images(), reference.source()));
        }
        return 0;
    }

    private HostArray noise(int channels, int size) {
        if (source.noise < 2) {
            throw new IllegalArgumentException("--noise must be >= 2, got " + source.noise);
        }
        float[] px = new Rng(seed).uniformHost(source.noise * channels * size * size);
        for (int i = 0; i < px.length; i++) {
            px[i] = 2 * px[i] - 1;
        }
        return new HostArray(new long[] {source.noise, channels, size, size}, px);
    }

    private HostArray datasetImages() {
        Split split = switch (source.real.strip().toLowerCase(Locale.ROOT)) {
            case "train" -> Split.TRAIN;
            case "test" -> Split.TEST;
            default -> throw new IllegalArgumentException("--real: expected train or test, got '" + source.real + "'");
        };
        ImageDataset data = Datasets.open(dataset, dataRoot, split);
        int n = limit == null ? data.size() : Math.min(limit, data.size());
        float[] px = new float[n * data.imageSize()];
        for (int i = 0; i < n; i++) {
            data.read(i, px, i * data.imageSize(), false);
        }
        return new HostArray(new long[] {n, data.channels(), data.height(), data.width()}, px);
    }

    static HostArray readImages(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(path)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".npy")).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new NoSuchFileException(path.toString(), null, "no .npy files in this folder");
            }
            List<HostArray> parts = new ArrayList<>();
            long total = 0;
            for (Path f : files) {
                HostArray a = Npy.read(f);
                if (!parts.isEmpty() && !sameImageShape(parts.get(0).shape(), a.shape())) {
                    throw new IllegalArgumentException(f + ": images of shape " + java.util.Arrays.toString(a.shape())
                            + " do not match " + files.get(0) + " " + java.util.Arrays.toString(parts.get(0).shape()));
                }
                parts.add(a);
                total += a.shape()[0];
            }
            long[] shape = parts.get(0).shape();
            shape[0] = total;
            float[] all = new float[Math.toIntExact(HostArray.numel(shape))];
            int at = 0;
            for (HostArray a : parts) {
                System.arraycopy(a.data(), 0, all, at, a.numel());
                at += a.numel();
            }
            return new HostArray(shape, all);
        }
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such image file (.npy) or folder");
        }
        return Npy.read(path);
    }

    private static boolean sameImageShape(long[] a, long[] b) {
        return a.length == b.length && java.util.Arrays.equals(a, 1, a.length, b, 1, b.length);
    }

    private static HostArray firstN(HostArray a, int n) {
        long[] shape = a.shape();
        if (shape.length == 0 || n >= shape[0]) {
            return a;
        }
        int per = (int) (a.numel() / shape[0]);
        shape[0] = n;
        return new HostArray(shape, java.util.Arrays.copyOf(a.data(), n * per));
    }
}
