package dev.spikevae.metrics;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The Inception Score's classifier, an ONNX graph exported by {@code tools/export_inception.py}: it takes images
 * {@code [N, 3, H, W]} with values in [0, 255], upsamples them bilinearly to 299×299 and returns class
 * probabilities. This class does the published preprocessing before it: {@code [-1, 1] → (x + 1) / 2 · 255} with no
 * ImageNet normalisation, grey repeated to three channels. Loading this class needs ONNX Runtime: call
 * {@link OnnxRuntimeCheck#requireIsGraph} first, which says what is missing.
 */
public final class IsNetwork implements AutoCloseable {
    private final OnnxGraph graph;

    private IsNetwork(OnnxGraph graph) {
        this.graph = graph;
    }

    /** Opens an exported graph; a missing file names the tool that makes it. */
    public static IsNetwork open(Path file) throws IOException {
        OnnxRuntimeCheck.requireIsGraph(file);
        return new IsNetwork(OnnxGraph.open(file));
    }

    /**
     * Class probabilities of {@code n} images {@code [n, c, h, w]} in [-1, 1] (c = 1 or 3), row-major
     * {@code [n, classes]}.
     */
    public float[][] probabilities(float[] images, int n, int c, int h, int w) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("the Inception Score takes grey or RGB images, got " + c + " channels");
        }
        int plane = h * w;
        float[] x = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < 3; ch++) {
                int src = (i * c + (c == 1 ? 0 : ch)) * plane;
                int dst = (i * 3 + ch) * plane;
                for (int p = 0; p < plane; p++) {
                    x[dst + p] = (images[src + p] + 1) / 2 * 255;
                }
            }
        }
        return graph.run(x, new long[] {n, 3, h, w},
                "class probabilities [N, classes]; export it with tools/export_inception.py is");
    }

    /**
     * The Inception Score of images {@code [N, C, H, W]} (or {@code [N, H, W]}) in [-1, 1]: probabilities in batches
     * of {@code batch}, then {@code splits} groups as published ({@link InceptionScore}).
     */
    public InceptionScore.Result scoreImages(float[] images, long[] shape, int splits, int batch, String what) {
        float[][] p = probabilitiesOf(images, shape, batch, what);
        return InceptionScore.fromProbabilities(p[0], (int) shape[0], p[0].length / (int) shape[0], splits);
    }

    /**
     * Class probabilities of images {@code [N, C, H, W]} (or {@code [N, H, W]}) in [-1, 1], in batches of
     * {@code batch}: one array {@code [N * classes]}, row-major (wrapped in an array of one).
     */
    public float[][] probabilitiesOf(float[] images, long[] shape, int batch, String what) {
        boolean ok = shape.length == 4 || shape.length == 3;
        int n = (int) shape[0];
        int c = shape.length == 4 ? (int) shape[1] : 1;
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        if (!ok || (c != 1 && c != 3)) {
            throw new IllegalArgumentException(what + ": images of shape " + java.util.Arrays.toString(shape)
                    + "; the Inception Score expects [N, 1 or 3, H, W] or [N, H, W] (float, in [-1, 1])");
        }
        Fad.checkRange(images, what);
        int per = c * h * w;
        float[] probs = null;
        int classes = 0;
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            float[][] p = probabilities(java.util.Arrays.copyOfRange(images, start * per, (start + m) * per), m, c, h, w);
            if (probs == null) {
                classes = p[0].length;
                probs = new float[n * classes];
            }
            for (int i = 0; i < m; i++) {
                System.arraycopy(p[i], 0, probs, (start + i) * classes, classes);
            }
        }
        return new float[][] {probs};
    }

    /**
     * The Inception Score of a model's samples as the published code draws them: {@code splits} batches of
     * {@code perSplit} samples from the prior in evaluation mode, each batch one group.
     */
    public InceptionScore.Result scoreModel(dev.spikevae.model.GenerativeModel model, dev.spikevae.tensor.Rng rng,
                                            int epoch, int perSplit, int splits) {
        boolean wasTraining = model.isTraining();
        model.train(false);
        dev.spikevae.model.StepContext context = dev.spikevae.model.StepContext.evaluation(rng, epoch);
        float[] probs = null;
        int classes = 0;
        try (dev.spikevae.autograd.Tape.NoGrad ng = dev.spikevae.autograd.Tape.noGrad()) {
            for (int k = 0; k < splits; k++) {
                float[] px;
                int[] d;
                try (dev.spikevae.tensor.MemoryScope scope = dev.spikevae.tensor.MemoryScope.open()) {
                    dev.spikevae.tensor.Tensor s = model.sample(perSplit, context);
                    px = s.toHost();
                    d = s.shape().dims();
                }
                float[][] p = probabilities(px, d[0], d[1], d[2], d[3]);
                if (probs == null) {
                    classes = p[0].length;
                    probs = new float[splits * perSplit * classes];
                }
                for (int i = 0; i < perSplit; i++) {
                    System.arraycopy(p[i], 0, probs, (k * perSplit + i) * classes, classes);
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return InceptionScore.fromProbabilities(probs, splits * perSplit, classes, splits);
    }

    @Override
    public void close() {
        graph.close();
    }
}
