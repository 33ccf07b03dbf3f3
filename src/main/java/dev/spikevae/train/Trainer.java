package dev.spikevae.train;

import dev.spikevae.data.Batch;
import dev.spikevae.data.DataLoader;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.StepContext;
import dev.spikevae.tensor.Rng;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of any {@link GenerativeModel}: for each epoch, the model's epoch-start hook, then one
 * {@link TrainingStep} per batch of the loader; then the test set is evaluated (with the spec's other metrics after
 * the epochs it names, {@link PeriodicEvaluation}) and the listeners run (metrics,
 * grids, plots, checkpoints). The loss is checked every step: NaN or infinity stops training before the broken
 * state reaches a checkpoint.
 *
 * <p>Everything random comes from one training stream ({@code rng}) plus the loader's (seed, epoch) order, so
 * training from a checkpoint taken after epoch k continues bit for bit as if never stopped.
 */
public final class Trainer {
    private final TrainingStep step;
    private final DataLoader train;
    private final Evaluator evaluator;
    private final List<TrainListener> listeners;
    private final PeriodicEvaluation periodic;

    public Trainer(TrainingStep step, DataLoader train, Evaluator evaluator, List<TrainListener> listeners) {
        this(step, train, evaluator, listeners, null);
    }

    /** A trainer that also computes {@code periodic}'s metrics after the epochs it names (null: none). */
    public Trainer(TrainingStep step, DataLoader train, Evaluator evaluator, List<TrainListener> listeners,
                   PeriodicEvaluation periodic) {
        this.step = step;
        this.train = train;
        this.evaluator = evaluator;
        this.listeners = List.copyOf(listeners);
        this.periodic = periodic;
    }

    /**
     * Trains epochs {@code firstEpoch..lastEpoch} (1-based, inclusive). {@code stepsBefore} is the number of
     * optimizer steps already taken (0 for a fresh run); {@code rng} is the training stream, positioned where
     * the previous epoch left it.
     */
    public void fit(int firstEpoch, int lastEpoch, long stepsBefore, Rng rng) throws Exception {
        GenerativeModel model = step.model();
        TrainContext ctx = new TrainContext(model, step.optimizer(), rng, lastEpoch, train.batchesPerEpoch());
        ctx.step = stepsBefore;
        ctx.epoch = firstEpoch - 1;
        model.onTrainingData(train.batchesPerEpoch());
        for (TrainListener l : listeners) {
            l.onTrainStart(ctx);
        }
        for (int epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
            ctx.epoch = epoch;
            ctx.batch = 0;
            model.train(true);
            model.onEpochStart(epoch, lastEpoch);
            StepContext stepContext = StepContext.training(rng, epoch);
            Map<String, Double> sums = new LinkedHashMap<>();
            int images = 0;
            long start = System.nanoTime();
            Iterator<Batch> it = train.epoch(epoch);
            while (it.hasNext()) {
                Batch b = it.next();
                long t0 = System.nanoTime();
                ctx.batch++;
                Map<String, Double> values;
                try {
                    values = step.run(b, stepContext);
                } catch (TrainingStep.NonFiniteLossException e) {
                    throw new TrainingDivergedException(epoch, ctx.step + 1, ctx.batch, e.values());
                }
                ctx.step++;
                values.forEach((k, v) -> sums.merge(k, v * b.size(), Double::sum));
                images += b.size();
                StepMetrics timed = new StepMetrics(values, b.size(), (System.nanoTime() - t0) / 1e9);
                for (TrainListener l : listeners) {
                    l.onBatchEnd(ctx, timed);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            EvalResult test = evaluator.evaluate(model, epoch);
            if (periodic != null && periodic.runsAt(epoch, lastEpoch)) {
                Map<String, Double> values = new LinkedHashMap<>(test.values());
                periodic.compute(model, epoch).forEach(values::putIfAbsent);
                test = new EvalResult(test.images(), values);
            }
            Map<String, Double> means = new LinkedHashMap<>();
            int n = Math.max(1, images);
            sums.forEach((k, v) -> means.put(k, v / n));
            EpochMetrics em = new EpochMetrics(epoch, ctx.step, means, images, seconds, test);
            for (TrainListener l : listeners) {
                l.onEpochEnd(ctx, em);
            }
        }
        for (TrainListener l : listeners) {
            l.onTrainEnd(ctx);
        }
    }
}
