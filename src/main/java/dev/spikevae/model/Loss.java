package dev.spikevae.model;

import dev.spikevae.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's loss: the scalar {@code total} that is minimised and its named terms (ESVAE: {@code mse} and
 * {@code mmd}), each of shape {@code [1]}, in the order they are reported. Term names become metric columns
 * ({@code train_mse}, {@code test_mmd}), so they are short snake_case words; {@code loss} is reserved for the total.
 */
public record Loss(Tensor total, Map<String, Tensor> terms) {
    public Loss {
        if (total == null || terms == null) {
            throw new IllegalArgumentException("Loss: total and terms must be set");
        }
        if (terms.containsKey("loss")) {
            throw new IllegalArgumentException("Loss: 'loss' names the total; call the term something else");
        }
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    }
}
