package dev.spikevae.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-set figures in eval mode, by name: {@code loss} and the model's loss terms (batch values weighted by batch
 * size), except {@code mse}, which is the sum of squared errors over the pixels of the whole set (image-weighted,
 * docs/reference.md §10.15), then the model's monitored quantities ({@code rate_post}, {@code rate_prior}), each
 * the image-weighted mean of its batch means.
 */
public record EvalResult(int images, Map<String, Double> values) {
    public EvalResult {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The value of that name (NaN when there is none). */
    public double get(String name) {
        Double v = values.get(name);
        return v == null ? Double.NaN : v;
    }

    /** The reconstruction error: sum of squared errors over the number of pixels. */
    public double mse() {
        return get("mse");
    }

    public double loss() {
        return get("loss");
    }
}
