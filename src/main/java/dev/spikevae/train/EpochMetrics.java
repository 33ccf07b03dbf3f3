package dev.spikevae.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch: training means of the loss and its terms by name (image-weighted over the epoch's batches),
 * throughput, and the test evaluation.
 */
public record EpochMetrics(int epoch, long step, Map<String, Double> train, int trainImages, double seconds,
                           EvalResult test) {
    public EpochMetrics {
        train = Collections.unmodifiableMap(new LinkedHashMap<>(train));
    }

    public double imagesPerSecond() {
        return seconds > 0 ? trainImages / seconds : 0;
    }

    /**
     * The row of {@code metrics.csv} and {@code metrics.jsonl}: epoch, step, {@code train_<name>} for each training
     * value, train_images, seconds, images_per_s, {@code test_<name>} for each test value, test_images.
     */
    public Map<String, Double> row() {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("epoch", (double) epoch);
        row.put("step", (double) step);
        train.forEach((k, v) -> row.put("train_" + k, v));
        row.put("train_images", (double) trainImages);
        row.put("seconds", seconds);
        row.put("images_per_s", imagesPerSecond());
        test.values().forEach((k, v) -> row.put("test_" + k, v));
        row.put("test_images", (double) test.images());
        return row;
    }
}
