package dev.spikevae.model;

import dev.spikevae.nn.Parameter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters that share optimiser settings: the learning rate is the spec's {@code train.lr} times
 * {@code lrScale}; the weight decay is the spec's.
 */
public record ParameterGroup(String name, Map<String, Parameter> parameters, double lrScale) {
    public ParameterGroup {
        if (!(lrScale > 0) || Double.isInfinite(lrScale)) {
            throw new IllegalArgumentException("parameter group '" + name + "': lr scale must be a finite number > 0, got "
                    + lrScale);
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }
}
