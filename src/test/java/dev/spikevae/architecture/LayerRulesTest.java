package dev.spikevae.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The layer rules of {@code docs/architecture.md}, checked against every import under {@code src/main/java}. The
 * rules are written once, in the table of that document between the {@code layer-rules} markers; this test reads
 * the table, so the document and the check cannot drift apart.
 */
class LayerRulesTest {
    private static final Path DOC = Path.of("docs", "architecture.md");
    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "spikevae");
    private static final String ROOT = "dev.spikevae.";
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?\\s*;");

    /** What one package may import: project packages (relative to dev.spikevae) and library prefixes. */
    record Rule(List<String> packages, List<String> libraries) {}

    static Map<String, Rule> rules() throws IOException {
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        Map<String, Rule> rules = new LinkedHashMap<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.contains("<!-- layer-rules:begin")) {
                inside = true;
            } else if (line.contains("<!-- layer-rules:end")) {
                inside = false;
            } else if (inside && line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                String pkg = cells[1].trim().replace("`", "");
                rules.put(pkg, new Rule(list(cells[2]), list(cells[3])));
            }
        }
        return rules;
    }

    private static List<String> list(String cell) {
        List<String> out = new ArrayList<>();
        for (String s : cell.replace("`", "").split(",")) {
            String t = s.trim();
            if (!t.isEmpty() && !t.equals("—") && !t.equals("-")) {
                out.add(t);
            }
        }
        return out;
    }

    /** Violations of the rules in one source file, as "file:line: message". */
    static List<String> violations(Path file, List<String> source, Map<String, Rule> rules) {
        List<String> out = new ArrayList<>();
        String pkg = null;
        for (int i = 0; i < source.size(); i++) {
            String line = source.get(i).trim();
            Matcher p = PACKAGE.matcher(line);
            if (p.find()) {
                pkg = p.group(1).startsWith(ROOT) ? p.group(1).substring(ROOT.length()) : p.group(1);
                if (!rules.containsKey(pkg)) {
                    out.add(file + ":" + (i + 1) + ": package " + p.group(1) + " has no row in " + DOC);
                    return out;
                }
                continue;
            }
            Matcher m = IMPORT.matcher(line);
            if (!m.find() || pkg == null) {
                continue;
            }
            String imported = m.group(1);
            if (imported.startsWith("java.") || imported.startsWith("javax.")) {
                continue;
            }
            Rule rule = rules.get(pkg);
            if (imported.startsWith(ROOT)) {
                String target = owningPackage(imported.substring(ROOT.length()), rules);
                if (target != null && !target.equals(pkg) && !rule.packages().contains(target)) {
                    out.add(file + ":" + (i + 1) + ": " + pkg + " may not import " + imported + " (layer " + target
                            + "); it may import " + (rule.packages().isEmpty() ? "no project package" : rule.packages()));
                }
            } else if (rule.libraries().stream().noneMatch(imported::startsWith)) {
                out.add(file + ":" + (i + 1) + ": " + pkg + " may not use the library " + imported + "; it may use "
                        + (rule.libraries().isEmpty() ? "none" : rule.libraries()));
            }
        }
        return out;
    }

    /** The longest rule package that a dotted name lies in ({@code backend.cpu.Conv} → {@code backend.cpu}). */
    private static String owningPackage(String name, Map<String, Rule> rules) {
        String best = null;
        for (String pkg : rules.keySet()) {
            if ((name.startsWith(pkg + ".") || name.equals(pkg)) && (best == null || pkg.length() > best.length())) {
                best = pkg;
            }
        }
        return best;
    }

    @Test
    void everyImportUnderSrcMainKeepsTheLayerRules() throws IOException {
        Map<String, Rule> rules = rules();
        assertTrue(rules.size() >= 12, "the rules table of " + DOC + " was found: " + rules.keySet());
        List<String> all = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".java"))::iterator) {
                files++;
                all.addAll(violations(f, Files.readAllLines(f, StandardCharsets.UTF_8), rules));
            }
        }
        assertTrue(files > 100, "sources found: " + files);
        if (!all.isEmpty()) {
            fail(all.size() + " import(s) break the layer rules of " + DOC + ":\n" + String.join("\n", all));
        }
    }

    @Test
    void theRulesCatchAForbiddenImport() throws IOException {
        Map<String, Rule> rules = rules();
        List<String> v = violations(Path.of("Doctor.java"), List.of("package dev.spikevae.cli;",
                "import dev.spikevae.backend.cpu.VectorSupport;", "import dev.spikevae.train.Checkpoint;",
                "import jcuda.driver.JCudaDriver;"), rules);
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("Doctor.java:2: cli may not import dev.spikevae.backend.cpu.VectorSupport"), v.get(0));
        assertTrue(v.get(1).startsWith("Doctor.java:4: cli may not use the library jcuda.driver.JCudaDriver"), v.get(1));
    }

    @Test
    void onlyTheModelPackageNamesTheEsvaeClasses() throws IOException {
        List<String> found = new ArrayList<>();
        Pattern esvae = Pattern.compile("\\bEsvae\\w*");
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".java"))::iterator) {
                if (f.startsWith(SOURCES.resolve("model"))) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (esvae.matcher(lines.get(i)).find()) {
                        found.add(f + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertEquals(List.of(), found, "layers above model reach models through GenerativeModel and the registry");
    }
}
