package dev.spikevae.train;

import dev.spikevae.autograd.Tape;
import dev.spikevae.data.Batch;
import dev.spikevae.data.DataLoader;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.model.Esvae;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.util.Iterator;

/**
 * Test-set evaluation in eval mode (tdBN running statistics; the sampler stays stochastic, as in the
 * reference). Its randomness comes from its own stream, derived from (seed, epoch), so evaluating never
 * disturbs the training stream and a resumed run evaluates identically.
 */
public final class Evaluator {
    private final ImageDataset test;
    private final int batchSize;
    private final float lambda;
    private final long seed;

    public Evaluator(ImageDataset test, int batchSize, float lambda, long seed) {
        this.test = test;
        this.batchSize = batchSize;
        this.lambda = lambda;
        this.seed = seed;
    }

    public ImageDataset dataset() {
        return test;
    }

    /** Evaluates with the stream of {@code epoch} (any int; the same epoch gives the same draws). */
    public EvalResult evaluate(Esvae model, int epoch) {
        return evaluate(model, new Rng(seed ^ 0x5DEECE66DL, 1_000_000_000L * (epoch + 1)));
    }

    public EvalResult evaluate(Esvae model, Rng rng) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Backend be = model.stateDict().values().iterator().next().backend();
        double sse = 0;
        double mmd = 0;
        double loss = 0;
        double ratePost = 0;
        double ratePrior = 0;
        long pixels = 0;
        int images = 0;
        try (DataLoader loader = new DataLoader(test, batchSize, false, false, false, 0); Tape.NoGrad ng = Tape.noGrad()) {
            Iterator<Batch> it = loader.epoch(0);
            while (it.hasNext()) {
                Batch b = it.next();
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor x = Batches.toTensor(be, b);
                    Esvae.Output out = model.forward(x, rng);
                    Esvae.Loss parts = model.loss(out, x, lambda);
                    long n = (long) x.numel();
                    sse += parts.mse().item() * n;
                    pixels += n;
                    mmd += parts.mmd().item() * b.size();
                    loss += parts.total().item() * b.size();
                    ratePost += mean(out.ratePosterior()) * b.size();
                    ratePrior += mean(out.ratePrior()) * b.size();
                    images += b.size();
                }
            }
        } finally {
            model.train(wasTraining);
        }
        if (images == 0) {
            throw new IllegalStateException("test set " + test.name() + " is empty");
        }
        return new EvalResult(images, sse / pixels, mmd / images, loss / images, ratePost / images, ratePrior / images);
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
