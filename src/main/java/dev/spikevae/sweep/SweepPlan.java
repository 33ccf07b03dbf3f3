package dev.spikevae.sweep;

import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.SpecException;
import dev.spikevae.experiment.Specs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep expanded into its runs: the cartesian product of the axes, each run the base spec with the overrides of
 * its points, named after what it varies ({@code timesteps-8_seed-2}). Every run's spec is built and validated when
 * the plan is made, so an unknown key or a bad value fails before anything runs.
 */
public final class SweepPlan {

    /** One run of the sweep: its name, index, the overrides that make it, and its resolved spec. */
    public record Run(int index, String name, Map<String, String> overrides, ExperimentSpec spec) {
        public Run {
            overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        }
    }

    private final ExperimentSpec base;
    private final SweepDefinition definition;
    private final List<Run> runs;

    private SweepPlan(ExperimentSpec base, SweepDefinition definition, List<Run> runs) {
        this.base = base;
        this.definition = definition;
        this.runs = List.copyOf(runs);
    }

    /** A plan of given runs (as a sweep folder stores them). */
    static SweepPlan of(ExperimentSpec base, SweepDefinition definition, List<Run> runs) {
        return new SweepPlan(base, definition, runs);
    }

    /** The overrides of every run, in run order: the cartesian product of the axes, the last axis fastest. */
    static List<Map<String, String>> combinations(List<SweepAxis> axes) {
        List<Map<String, String>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (SweepAxis axis : axes) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : combos) {
                for (SweepAxis.Point p : axis.points()) {
                    Map<String, String> o = new LinkedHashMap<>(c);
                    o.putAll(p.overrides());
                    next.add(o);
                }
            }
            combos = next;
        }
        return combos;
    }

    /** Expands {@code definition} over {@code base}; {@code source} names the spec in messages. */
    public static SweepPlan expand(ExperimentSpec base, SweepDefinition definition, String source) {
        Map<String, String> shortNames = shortNames(definition);
        List<Map<String, String>> combos = combinations(definition.axes());
        List<List<String>> labels = new ArrayList<>();
        labels.add(new ArrayList<>());
        for (SweepAxis axis : definition.axes()) {
            List<List<String>> nextLabels = new ArrayList<>();
            for (List<String> prefix : labels) {
                for (SweepAxis.Point p : axis.points()) {
                    List<String> l = new ArrayList<>(prefix);
                    l.add(label(axis, p, shortNames));
                    nextLabels.add(l);
                }
            }
            labels = nextLabels;
        }
        List<Run> runs = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < combos.size(); i++) {
            String name = labels.get(i).isEmpty() ? "base" : String.join("_", labels.get(i));
            if (!used.add(name)) {
                name = name + "_" + (i + 1);
                used.add(name);
            }
            List<String> texts = new ArrayList<>();
            combos.get(i).forEach((k, v) -> texts.add(k + "=" + v));
            ExperimentSpec spec;
            try {
                spec = Specs.override(base, texts);
            } catch (SpecException e) {
                throw new SweepException(source + ": sweep run " + name + ": " + e.getMessage(), e);
            }
            runs.add(new Run(i, name, combos.get(i), spec));
        }
        return new SweepPlan(base, definition, runs);
    }

    /** The label of a point in run names: the variant's name, else {@code key-value} with the key's short name. */
    private static String label(SweepAxis axis, SweepAxis.Point p, Map<String, String> shortNames) {
        if (axis.name().equals("variant")) {
            return safe(p.label());
        }
        List<String> parts = new ArrayList<>();
        p.overrides().forEach((k, v) -> parts.add(shortNames.get(k) + "-" + safe(v)));
        return String.join("_", parts);
    }

    /** Each varied key by its last segment ({@code model.neuron.width} is {@code width}) unless two keys share one. */
    private static Map<String, String> shortNames(SweepDefinition d) {
        Map<String, Integer> counts = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (SweepAxis a : d.axes()) {
            if (!a.name().equals("variant")) {
                keys.addAll(a.points().get(0).overrides().keySet());
            }
        }
        for (String k : keys) {
            counts.merge(last(k), 1, Integer::sum);
        }
        Map<String, String> out = new HashMap<>();
        for (String k : keys) {
            out.put(k, counts.get(last(k)) == 1 ? last(k) : k.replace('.', '-'));
        }
        return out;
    }

    private static String last(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }

    /** A value as it can appear in a folder name. */
    static String safe(String v) {
        String s = v.replaceAll("^'|'$", "").replaceAll("[^A-Za-z0-9._+-]", "_");
        return s.isEmpty() ? "_" : s;
    }

    public ExperimentSpec base() {
        return base;
    }

    public SweepDefinition definition() {
        return definition;
    }

    public List<Run> runs() {
        return runs;
    }

    /** The run of that name; an unknown name lists the first few. */
    public Run run(String name) {
        for (Run r : runs) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new SweepException("no run \"" + name + "\" in this sweep; runs: "
                + String.join(", ", runs.stream().limit(6).map(Run::name).toList()) + (runs.size() > 6 ? ", ..." : ""));
    }

    /** The keys the sweep varies, in axis order. */
    public List<String> variedKeys() {
        List<String> keys = new ArrayList<>();
        for (SweepAxis a : definition.axes()) {
            for (SweepAxis.Point p : a.points()) {
                for (String k : p.overrides().keySet()) {
                    if (!keys.contains(k)) {
                        keys.add(k);
                    }
                }
            }
        }
        return keys;
    }
}
