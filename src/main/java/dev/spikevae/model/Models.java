package dev.spikevae.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The registry of model types: a spec's {@code model.type} or a checkpoint's {@code model} names one of these. */
public final class Models {
    private static final Map<String, ModelType> TYPES = new LinkedHashMap<>();

    static {
        register(EsvaeType.INSTANCE);
        register(AnnVaeType.INSTANCE);
        register(FsvaeType.INSTANCE);
        register(SpikingAeType.INSTANCE);
    }

    private Models() {
    }

    private static void register(ModelType t) {
        TYPES.put(t.name(), t);
    }

    /** The type of that name; an unknown name lists the known ones. */
    public static ModelType get(String name) {
        ModelType t = TYPES.get(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown model type \"" + name + "\"; known: " + String.join(", ", names()));
        }
        return t;
    }

    /** Whether a type of that name exists. */
    public static boolean exists(String name) {
        return TYPES.containsKey(name);
    }

    /** Every registered type name, in registration order. */
    public static List<String> names() {
        return new ArrayList<>(TYPES.keySet());
    }

    /** The type whose published checkpoints have these keys, or null when none recognises them. */
    public static ModelType recognise(Set<String> keys) {
        for (ModelType t : TYPES.values()) {
            if (t.referenceKeys().recognises(keys)) {
                return t;
            }
        }
        return null;
    }
}
