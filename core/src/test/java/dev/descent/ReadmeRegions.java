package dev.descent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * README code that cannot go stale: the regions marked {@code // README:begin name} … {@code //
 * README:end} in source files (Java or Kotlin, usually tests that run them) must appear in the README
 * exactly, dedented, in a fenced block of the file's language. Shared through core's test-jar by the
 * modules' {@code ReadmeSyncTest}s (dsl: the training scripts; examples: the linear-regression
 * scripts).
 */
public final class ReadmeRegions {
    private ReadmeRegions() {}

    /**
     * Asserts that {@code readme} shows every region of every script verbatim; returns how many
     * regions there were. The failure message holds the block to paste.
     */
    public static int assertShown(Path readme, List<String> scripts) throws IOException {
        String text = Files.readString(readme);
        int regions = 0;
        for (String script : scripts) {
            Map<String, String> found = regions(Files.readAllLines(Path.of(script)));
            assertTrue(!found.isEmpty(), script + " has no README region");
            for (var e : found.entrySet()) {
                String block = block(script, e.getValue());
                assertTrue(
                        text.contains(block),
                        "README.md does not show region '" + e.getKey() + "' of " + script
                                + " as it is now; paste this block into the README:\n" + block);
                regions++;
            }
        }
        return regions;
    }

    /** The fenced block of a region's body, in the script's language. */
    public static String block(String script, String body) {
        return "```" + language(script) + "\n" + body + "\n```\n";
    }

    /** {@code kotlin} for a {@code .kt} file, else {@code java}. */
    public static String language(String script) {
        return script.endsWith(".kt") ? "kotlin" : "java";
    }

    /** Region name → its lines, dedented by their common indentation. */
    public static Map<String, String> regions(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = null;
        List<String> body = new ArrayList<>();
        for (String line : lines) {
            String t = line.trim();
            if (t.startsWith("// README:begin ")) {
                name = t.substring("// README:begin ".length()).trim();
                body.clear();
            } else if (t.equals("// README:end")) {
                if (name == null) throw new IllegalStateException("README:end without README:begin");
                out.put(name, dedent(body));
                name = null;
            } else if (name != null) body.add(line);
        }
        if (name != null) throw new IllegalStateException("README region '" + name + "' has no README:end");
        return out;
    }

    private static String dedent(List<String> body) {
        int indent = Integer.MAX_VALUE;
        for (String l : body)
            if (!l.isBlank())
                indent = Math.min(indent, l.length() - l.stripLeading().length());
        StringBuilder sb = new StringBuilder();
        for (String l : body) {
            if (sb.length() > 0) sb.append('\n');
            sb.append(l.isBlank() ? "" : l.substring(indent));
        }
        return sb.toString();
    }

    /** Prints the README blocks of these scripts (run by hand when a script changes). */
    public static void print(List<String> scripts) throws IOException {
        for (String script : scripts)
            for (var e : regions(Files.readAllLines(Path.of(script))).entrySet())
                System.out.println("<!-- " + e.getKey() + " -->\n" + block(script, e.getValue()));
    }
}
