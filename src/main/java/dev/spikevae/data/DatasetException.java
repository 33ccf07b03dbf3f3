package dev.spikevae.data;

/**
 * A dataset could not be found or read: a missing folder, a truncated or corrupt file. The message is one
 * line that names the file (or the paths tried) and what was expected.
 */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
