package dev.descent.dsl.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's training scripts are the regions marked {@code // README:begin name} … {@code //
 * README:end} in the test sources that run them: the README must show each region exactly (dedented,
 * in a fenced block of the file's language), so it cannot go stale.
 */
class ReadmeSyncTest {

    static final List<String> SCRIPTS = List.of(
            "src/test/java/dev/descent/dsl/readme/ReadmeJavaScriptTest.java",
            "src/test/kotlin/dev/descent/dsl/readme/ReadmeKotlinScriptSpec.kt",
            "src/test/java/dev/descent/dsl/readme/ReadmeOptimizerTest.java");

    @Test
    void theReadmeShowsEveryScriptRegionVerbatim() throws IOException {
        String readme = Files.readString(readme());
        int regions = 0;
        for (String script : SCRIPTS) {
            Path file = Path.of(script);
            String language = script.endsWith(".kt") ? "kotlin" : "java";
            Map<String, String> found = regions(Files.readAllLines(file));
            assertTrue(!found.isEmpty(), script + " has no README region");
            for (var e : found.entrySet()) {
                String block = "```" + language + "\n" + e.getValue() + "\n```\n";
                assertTrue(
                        readme.contains(block),
                        "README.md does not show region '" + e.getKey() + "' of " + script
                                + " as it is now; paste this block into the README:\n" + block);
                regions++;
            }
        }
        assertEquals(3, regions);
    }

    /** The README beside the dsl module. */
    static Path readme() {
        return Path.of("..", "README.md");
    }

    /** Region name → its lines, dedented by their common indentation. */
    static Map<String, String> regions(List<String> lines) {
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

    /** Prints the README blocks (run by hand when a script changes). */
    public static void main(String[] args) throws IOException {
        for (String script : SCRIPTS) {
            String language = script.endsWith(".kt") ? "kotlin" : "java";
            for (var e : regions(Files.readAllLines(Path.of(script))).entrySet())
                System.out.println("<!-- " + e.getKey() + " -->\n```" + language + "\n" + e.getValue() + "\n```\n");
        }
    }
}
