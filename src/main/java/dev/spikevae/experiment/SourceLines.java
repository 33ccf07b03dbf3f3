package dev.spikevae.experiment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * Finds the line of a dotted key in spec text, so that a problem found after parsing (a wrong type, an
 * invalid value) can still point at its line. Parsed trees keep no positions; the token stream does.
 */
final class SourceLines {

    private SourceLines() {}

    /**
     * The 1-based line where the key at {@code dottedPath} is written, else where its nearest written parent
     * is, else 0 (unknown). Never throws: a location is a courtesy on top of the real message.
     */
    static int lineOf(JsonFactory factory, String text, String dottedPath) {
        if (dottedPath == null || dottedPath.isEmpty()) {
            return 0;
        }
        String path = dottedPath;
        while (true) {
            int line = exactLine(factory, text, path);
            int dot = path.lastIndexOf('.');
            if (line > 0 || dot < 0) {
                return line;
            }
            path = path.substring(0, dot);
        }
    }

    private static int exactLine(JsonFactory factory, String text, String dottedPath) {
        try (JsonParser parser = factory.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            return search(parser, "", dottedPath);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Walks one mapping whose opening token was just read; returns the key's line or 0. */
    private static int search(JsonParser parser, String prefix, String dottedPath) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String path = prefix.isEmpty() ? parser.currentName() : prefix + "." + parser.currentName();
            if (path.equals(dottedPath)) {
                return parser.currentTokenLocation().getLineNr();
            }
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT && dottedPath.startsWith(path + ".")) {
                int line = search(parser, path, dottedPath);
                if (line > 0) {
                    return line;
                }
            } else {
                parser.skipChildren();
            }
        }
        return 0;
    }
}
