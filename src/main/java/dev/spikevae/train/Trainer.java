package dev.spikevae.train;

import dev.spikevae.autograd.Tape;
import dev.spikevae.data.Batch;
import dev.spikevae.data.DataLoader;
import dev.spikevae.model.Esvae;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;

import java.util.Iterator;
import java.util.List;

/**
 * The ESVAE training loop (docs/reference.md §5): for each epoch, every batch of the loader does forward, loss
 * (MSE + λ·MMD²), backward and one AdamW step inside a memory scope; then the test set is evaluated and the
 * listeners run (metrics, grids, plots, checkpoints). The loss is checked every step: NaN or infinity stops
 * training before the broken state reaches a checkpoint.
 *
 * <p>Everything random comes from one training stream ({@code rng}) plus the loader's (seed, epoch) order,
 * so training from a checkpoint taken after epoch k continues bit for bit as if never stopped.
 */
public final class Trainer {
    private final Esvae model;
    private final AdamW optimizer;
    private final DataLoader train;
    private final Evaluator evaluator;
    private final List<TrainListener> listeners;
    private final float lambda;

    public Trainer(Esvae model, AdamW optimizer, DataLoader train, Evaluator evaluator, float lambda,
                   List<TrainListener> listeners) {
        this.model = model;
        this.optimizer = optimizer;
        this.train = train;
        this.evaluator = evaluator;
        this.lambda = lambda;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Trains epochs {@code firstEpoch..lastEpoch} (1-based, inclusive). {@code stepsBefore} is the number of
     * optimizer steps already taken (0 for a fresh run); {@code rng} is the training stream, positioned where
     * the previous epoch left it.
     */
    public void fit(int firstEpoch, int lastEpoch, long stepsBefore, Rng rng) throws Exception {
        TrainContext ctx = new TrainContext(model, optimizer, rng, lastEpoch, train.batchesPerEpoch(), 0);
        ctx.step = stepsBefore;
        ctx.epoch = firstEpoch - 1;
        for (TrainListener l : listeners) {
            l.onTrainStart(ctx);
        }
        Backend be = model.stateDict().values().iterator().next().backend();
        for (int epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
            ctx.epoch = epoch;
            ctx.batch = 0;
            model.train(true);
            double loss = 0;
            double mse = 0;
            double mmd = 0;
            int images = 0;
            long start = System.nanoTime();
            Iterator<Batch> it = train.epoch(epoch);
            while (it.hasNext()) {
                Batch b = it.next();
                long t0 = System.nanoTime();
                ctx.batch++;
                StepMetrics m = step(be, b, rng, ctx);
                ctx.step++;
                loss += m.loss() * b.size();
                mse += m.mse() * b.size();
                mmd += m.mmd() * b.size();
                images += b.size();
                StepMetrics timed = new StepMetrics(m.loss(), m.mse(), m.mmd(), b.size(), (System.nanoTime() - t0) / 1e9);
                for (TrainListener l : listeners) {
                    l.onBatchEnd(ctx, timed);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            EvalResult test = evaluator.evaluate(model, epoch);
            EpochMetrics em = new EpochMetrics(epoch, ctx.step, loss / Math.max(1, images), mse / Math.max(1, images),
                    mmd / Math.max(1, images), images, seconds, test);
            for (TrainListener l : listeners) {
                l.onEpochEnd(ctx, em);
            }
        }
        for (TrainListener l : listeners) {
            l.onTrainEnd(ctx);
        }
    }

    private StepMetrics step(Backend be, Batch b, Rng rng, TrainContext ctx) {
        model.zeroGrad();
        double loss;
        double mse;
        double mmd;
        try (MemoryScope scope = MemoryScope.open(); Tape tape = Tape.record()) {
            Tensor images = Batches.toTensor(be, b);
            Esvae.Output out = model.forward(images, rng);
            Esvae.Loss parts = model.loss(out, images, lambda);
            loss = parts.total().item();
            mse = parts.mse().item();
            mmd = parts.mmd().item();
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException(ctx.epoch, ctx.step + 1, ctx.batch, loss, mse, mmd);
            }
            tape.backward(parts.total());
        }
        optimizer.step();
        return new StepMetrics(loss, mse, mmd, b.size(), 0);
    }
}
