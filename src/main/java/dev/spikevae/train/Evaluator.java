package dev.spikevae.train;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.data.Batch;
import dev.spikevae.data.DataLoader;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.Loss;
import dev.spikevae.model.ModelOutput;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-set evaluation in eval mode (tdBN running statistics; samplers stay stochastic, as in the reference). Its
 * randomness comes from its own stream, derived from (seed, epoch) by {@link #stream(long, int)}, so evaluating never
 * disturbs the training stream, a resumed run evaluates identically, and {@code eval} on a checkpoint can repeat the
 * figures its run reported.
 */
public final class Evaluator {
    private final ImageDataset test;
    private final int batchSize;
    private final long seed;
    private final java.io.PrintStream progress;
    private final boolean interactive;
    private final int progressFrom;

    /** Test sets at least this large show their progress (a full test set takes tens of seconds on a CPU). */
    static final int PROGRESS_FROM_IMAGES = 2000;

    public Evaluator(ImageDataset test, int batchSize, long seed) {
        this(test, batchSize, seed, null, false, PROGRESS_FROM_IMAGES);
    }

    private Evaluator(ImageDataset test, int batchSize, long seed, java.io.PrintStream progress, boolean interactive,
                      int progressFrom) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("evaluation batch size must be at least 1, got " + batchSize);
        }
        this.test = test;
        this.batchSize = batchSize;
        this.seed = seed;
        this.progress = progress;
        this.interactive = interactive;
        this.progressFrom = progressFrom;
    }

    /**
     * This evaluator, showing its progress on {@code out} for test sets of {@value #PROGRESS_FROM_IMAGES} images or
     * more: redrawn in place on a terminal, else a line at each quarter. The figures are the same.
     */
    public Evaluator withProgress(java.io.PrintStream out, boolean interactive) {
        return withProgress(out, interactive, PROGRESS_FROM_IMAGES);
    }

    /** {@link #withProgress(java.io.PrintStream, boolean)} from test sets of {@code fromImages} images on. */
    Evaluator withProgress(java.io.PrintStream out, boolean interactive, int fromImages) {
        return new Evaluator(test, batchSize, seed, out, interactive, fromImages);
    }

    private void showProgress(int done, int total, int[] lastQuarter) {
        if (progress == null || total < progressFrom) {
            return;
        }
        String line = String.format(java.util.Locale.ROOT, "evaluating %s: %,d/%,d images", test.name(), done, total);
        if (interactive) {
            progress.print("\r" + line + (done == total ? "\n" : ""));
            progress.flush();
        } else {
            int quarter = (int) (4L * done / total);
            if (quarter > lastQuarter[0]) {
                lastQuarter[0] = quarter;
                progress.println(line);
            }
        }
    }

    public ImageDataset dataset() {
        return test;
    }

    /** The evaluation stream of a run with this seed after {@code epoch} epochs (0: the untrained model). */
    public static Rng stream(long seed, int epoch) {
        return new Rng(seed ^ 0x5DEECE66DL, 1_000_000_000L * (epoch + 1));
    }

    /** Evaluates with the stream of {@code epoch} (the same epoch gives the same draws). */
    public EvalResult evaluate(GenerativeModel model, int epoch) {
        return evaluate(model, stream(seed, epoch), epoch);
    }

    public EvalResult evaluate(GenerativeModel model, Rng rng, int epoch) {
        boolean wasTraining = model.isTraining();
        model.train(false);
        StepContext context = StepContext.evaluation(rng, epoch);
        Map<String, Double> sums = new LinkedHashMap<>();
        double sse = 0;
        long pixels = 0;
        int images = 0;
        int[] lastQuarter = {0};
        try (DataLoader loader = new DataLoader(test, batchSize, false, false, false, 0); Tape.NoGrad ng = Tape.noGrad()) {
            Iterator<Batch> it = loader.epoch(0);
            while (it.hasNext()) {
                Batch b = it.next();
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor x = Batches.toTensor(model.backend(), b);
                    ModelOutput out = model.forward(x, context);
                    Loss loss = model.loss(out, x);
                    long n = x.numel();
                    sse += Ops.mseLoss(out.reconstruction(), x).item() * n;
                    pixels += n;
                    // batch value × batch size as a float product, as these figures have always been summed
                    sums.merge("loss", (double) (loss.total().item() * b.size()), Double::sum);
                    for (Map.Entry<String, Tensor> t : loss.terms().entrySet()) {
                        sums.merge(t.getKey(), (double) (t.getValue().item() * b.size()), Double::sum);
                    }
                    for (Map.Entry<String, Tensor> m : out.monitors().entrySet()) {
                        sums.merge(m.getKey(), mean(m.getValue()) * b.size(), Double::sum);
                    }
                    images += b.size();
                }
                showProgress(images, test.size(), lastQuarter);
            }
        } finally {
            model.train(wasTraining);
        }
        if (images == 0) {
            throw new IllegalStateException("test set " + test.name() + " is empty");
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : sums.entrySet()) {
            values.put(e.getKey(), e.getValue() / images);
        }
        values.put("mse", sse / pixels); // the reconstruction error, image-weighted, replaces a loss term of that name
        return new EvalResult(images, values);
    }

    static double mean(Tensor t) {
        double s = 0;
        float[] v = t.toHost();
        for (float f : v) {
            s += f;
        }
        return s / v.length;
    }
}
