package dev.spikevae.model;

import dev.spikevae.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Additions and multiplications counted during forward passes, as the published evaluation counts them
 * (docs/reference.md §6.5, docs/metrics.md): a layer whose input is spikes costs one addition per input spike and
 * output it reaches ({@code sum(input) · fan-out}) plus one per output for the bias; the first, real-valued
 * convolution costs {@code numel(input) · fan-out} multiply-accumulates; LIF neurons cost one addition per input and
 * one multiplication per step without a spike. Totals and per-layer figures accumulate until {@link #clear()}.
 */
public final class OperationCounts {
    private final Map<String, double[]> perLayer = new LinkedHashMap<>();
    private double adds;
    private double muls;

    /** Adds {@code add} additions and {@code mul} multiplications to the totals and to {@code layer}'s figures. */
    public void record(String layer, double add, double mul) {
        adds += add;
        muls += mul;
        double[] c = perLayer.computeIfAbsent(layer, k -> new double[2]);
        c[0] += add;
        c[1] += mul;
    }

    public double adds() {
        return adds;
    }

    public double muls() {
        return muls;
    }

    /** {@code layer -> {adds, muls}} in the order layers first ran. */
    public Map<String, double[]> perLayer() {
        return Collections.unmodifiableMap(perLayer);
    }

    public void clear() {
        perLayer.clear();
        adds = 0;
        muls = 0;
    }

    /** The sum of a tensor's values in double precision (a host copy): the spike count of a spike tensor. */
    public static double sum(Tensor t) {
        double s = 0;
        for (float v : t.toHost()) {
            s += v;
        }
        return s;
    }

    /** The number of zeros of a spike tensor: the steps at which a neuron did not fire. */
    public static double zeros(Tensor spikes) {
        double z = 0;
        for (float v : spikes.toHost()) {
            z += 1 - v;
        }
        return z;
    }
}
