package dev.spikevae.experiment;

/**
 * A spec that cannot be read or is not valid. The message is one line: where (file and line when known),
 * the dotted field, and what was wrong, e.g. {@code my.yaml:7: train.epochs: expected an integer, got "ten"}.
 */
public final class SpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String detail;
    private final boolean located;

    /**
     * @param field  the dotted field the problem is about, or null when it concerns the whole document
     * @param detail what was wrong
     */
    public SpecException(String field, String detail) {
        this(null, field, detail);
    }

    private SpecException(String where, String field, String detail) {
        super((where == null ? "" : where + ": ") + (field == null ? "" : field + ": ") + detail);
        this.field = field;
        this.detail = detail;
        this.located = where != null;
    }

    /** Whether the message already names its source (a problem found in a base file keeps that file's name). */
    boolean located() {
        return located;
    }

    /** The dotted field the problem is about ("train.epochs"), or null when it concerns the whole document. */
    public String field() {
        return field;
    }

    /** The same problem with its source in front: {@code source:line: ...}, the line only when known (> 0). */
    SpecException at(String source, int line) {
        return new SpecException(line > 0 ? source + ":" + line : source, field, detail);
    }
}
