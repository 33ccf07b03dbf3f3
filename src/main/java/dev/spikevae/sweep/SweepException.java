package dev.spikevae.sweep;

/** A sweep that cannot be planned, run or read; the one-line message names the file, key or run. */
public final class SweepException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SweepException(String message) {
        super(message);
    }

    public SweepException(String message, Throwable cause) {
        super(message, cause);
    }
}
