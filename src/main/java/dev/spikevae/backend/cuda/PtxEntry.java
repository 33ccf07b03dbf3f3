package dev.spikevae.backend.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel entry point of a PTX module and the types of its parameters, read from the PTX text. The
 * Java side packs kernel arguments against these signatures, so a wrong argument count, order or type
 * at a call site fails in Java with the kernel's name instead of corrupting a launch.
 */
public record PtxEntry(String module, String name, List<Param> params) {

    /** The kinds of kernel parameters spikevae uses. */
    public enum Kind {
        /** A 64-bit value: a device pointer, a {@code long long} or an {@code unsigned long long}. */
        B64,
        /** A 32-bit integer. */
        B32,
        /** A float. */
        F32,
        /** A struct passed by value (a byte array of a given size). */
        STRUCT
    }

    /** One parameter: its kind and size in bytes. */
    public record Param(Kind kind, int bytes) {
    }

    private static final Pattern ENTRY = Pattern.compile("^\\s*(?:\\.visible\\s+)?\\.entry\\s+(\\w+)\\s*\\(\\s*$");
    private static final Pattern PARAM = Pattern.compile("^\\s*\\.param\\s+(.*?)\\s+(\\w+)(?:\\[(\\d+)])?\\s*,?\\s*$");

    /** Every entry of a module's PTX, in file order. */
    public static Map<String, PtxEntry> parse(String module, String ptx) {
        Map<String, PtxEntry> out = new LinkedHashMap<>();
        String[] lines = ptx.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher e = ENTRY.matcher(lines[i]);
            if (!e.matches()) {
                continue;
            }
            String name = e.group(1);
            List<Param> params = new ArrayList<>();
            for (i++; i < lines.length && !lines[i].trim().startsWith(")"); i++) {
                Matcher p = PARAM.matcher(lines[i]);
                if (!p.matches()) {
                    throw new IllegalArgumentException("PTX module " + module + ", entry " + name
                            + ": cannot read parameter line '" + lines[i].trim() + "'");
                }
                params.add(param(module, name, p.group(1), p.group(3)));
            }
            out.put(name, new PtxEntry(module, name, List.copyOf(params)));
        }
        return out;
    }

    private static Param param(String module, String entry, String types, String arraySize) {
        if (arraySize != null) {
            return new Param(Kind.STRUCT, Integer.parseInt(arraySize));
        }
        for (String t : types.split("\\s+")) {
            switch (t) {
                case ".u64", ".s64", ".b64":
                    return new Param(Kind.B64, 8);
                case ".u32", ".s32", ".b32":
                    return new Param(Kind.B32, 4);
                case ".f32":
                    return new Param(Kind.F32, 4);
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("PTX module " + module + ", entry " + entry + ": unsupported parameter type '"
                + types + "'");
    }
}
