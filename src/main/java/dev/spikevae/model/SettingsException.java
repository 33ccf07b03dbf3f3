package dev.spikevae.model;

/**
 * A model setting breaks a rule. {@link #key()} is its dotted key inside the model's section ({@code neuron.width}),
 * so the spec reader can name the full path ({@code model.neuron.width}).
 */
public final class SettingsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public SettingsException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The rule broken, without the key. */
    public String rule() {
        String m = getMessage();
        return m.substring(key.length() + 2);
    }
}
