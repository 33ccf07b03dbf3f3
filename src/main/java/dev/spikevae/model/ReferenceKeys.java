package dev.spikevae.model;

import java.util.Map;
import java.util.Set;

/**
 * A model type's view of the published implementation's checkpoints, once converted to safetensors by
 * {@code tools/convert_reference_checkpoint.py} (same keys; time axes of size 1 dropped).
 */
public interface ReferenceKeys {
    /** Whether a state dict with these keys is this type's (for weights files that do not say). */
    boolean recognises(Set<String> keys);

    /** Keys the published model has but this one does not build (skipped on import, e.g. unused sub-networks). */
    boolean ignored(String key);

    /** The configuration read off the tensor shapes; throws an {@link IllegalArgumentException} naming what is missing. */
    ModelConfig infer(Map<String, long[]> shapes);
}
