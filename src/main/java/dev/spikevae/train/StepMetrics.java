package dev.spikevae.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One training step: the loss and its terms by name ({@code loss}, {@code mse}, ...), the batch size, the wall time. */
public record StepMetrics(Map<String, Double> values, int images, double seconds) {
    public StepMetrics {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The value of that name (NaN when the model has no such term). */
    public double get(String name) {
        Double v = values.get(name);
        return v == null ? Double.NaN : v;
    }
}
