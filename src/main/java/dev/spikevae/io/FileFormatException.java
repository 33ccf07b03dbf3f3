package dev.spikevae.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that could be read but is not a valid file of its format; the message names the file and the fault. */
public final class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public FileFormatException(Path file, String problem) {
        this(file.toString(), problem);
    }

    public FileFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}
