package dev.spikevae.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header of a .npy file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}. Parsed by a small recursive-descent
 * reader that accepts exactly the literals numpy writes there (strings, booleans, tuples of integers).
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** Parses {@code text}; {@code source} names the file in error messages. */
    static NpyHeader parse(String text, String source) throws FileFormatException {
        Parser p = new Parser(text, source);
        Map<String, Object> dict = p.dict();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("unexpected text after the header dict");
        }
        if (!dict.keySet().equals(KEYS)) {
            throw new FileFormatException(source, "header keys " + dict.keySet() + " are not " + KEYS);
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new FileFormatException(source, "header descr " + dict.get("descr")
                    + " is not a simple dtype string (structured arrays are not supported)");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new FileFormatException(source, "header fortran_order is not True or False");
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw new FileFormatException(source, "header shape is not a tuple of integers");
        }
        return new NpyHeader(descr, fortran, shape);
    }

    /** The header dict numpy would write for a C-order array of {@code descr} with {@code shape}. */
    static String format(String descr, long[] shape) {
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            sb.append(shape[i]);
            if (i < shape.length - 1 || shape.length == 1) {
                sb.append(',');
            }
            if (i < shape.length - 1) {
                sb.append(' ');
            }
        }
        return sb.append("), }").toString();
    }

    /** A list-valued descr: a structured dtype, kept only to be named in the error. */
    private record Structured(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static final class Parser {
        private final String s;
        private final String source;
        private int pos;

        Parser(String s, String source) {
            this.s = s;
            this.source = source;
        }

        Map<String, Object> dict() throws FileFormatException {
            expect('{');
            Map<String, Object> map = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    return map;
                }
                String key = string();
                expect(':');
                if (map.put(key, value()) != null) {
                    throw error("duplicate key '" + key + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private Object value() throws FileFormatException {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c == '[') {
                // A list descr describes a structured dtype; report it as such rather than as a syntax error.
                return skipBracketed();
            }
            throw error("unexpected value");
        }

        private long[] tuple() throws FileFormatException {
            expect('(');
            List<Long> values = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                values.add(integer());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in shape");
                }
            }
            long[] out = new long[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.get(i);
            }
            return out;
        }

        private long integer() throws FileFormatException {
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a non-negative integer");
            }
            long v;
            try {
                v = Long.parseLong(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("integer too large");
            }
            if (pos < s.length() && s.charAt(pos) == 'L') {
                pos++; // Python 2 long suffix, found in old files
            }
            return v;
        }

        private String string() throws FileFormatException {
            skipSpace();
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error("expected a quoted string");
            }
            int end = s.indexOf(quote, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        private Structured skipBracketed() throws FileFormatException {
            int start = pos;
            int depth = 0;
            do {
                char c = peek();
                if (c == '[' || c == '(') {
                    depth++;
                } else if (c == ']' || c == ')') {
                    depth--;
                }
                pos++;
            } while (depth > 0);
            return new Structured(s.substring(start, pos));
        }

        private void expect(char c) throws FileFormatException {
            skipSpace();
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private char peek() throws FileFormatException {
            if (pos >= s.length()) {
                throw error("header ends too early");
            }
            return s.charAt(pos);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        FileFormatException error(String problem) {
            String text = s.strip();
            if (text.length() > 200) {
                text = text.substring(0, 200) + "...";
            }
            return new FileFormatException(source, "bad header dict at character " + pos + " (" + problem + "): "
                    + text);
        }
    }
}
