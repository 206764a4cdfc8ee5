package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README shows the training part of {@code ./descent mnist}: the region between {@code //
 * README:begin mnist} and {@code // README:end} in {@link MnistExample}, dedented, in a fenced java
 * block (the same rule as the dsl module's ReadmeSyncTest), so it cannot go stale.
 */
class ReadmeMnistSyncTest {

    static final Path SOURCE = Path.of("src/main/java/dev/descent/examples/MnistExample.java");

    @Test
    void theReadmeShowsTheFlagshipsTrainingCodeVerbatim() throws IOException {
        String block = "```java\n" + region(Files.readAllLines(SOURCE), "mnist") + "\n```\n";
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(
                readme.contains(block),
                "README.md does not show region 'mnist' of " + SOURCE + " as it is now; paste this block:\n" + block);
    }

    /** The named region's lines, dedented by their common indentation. */
    static String region(List<String> lines, String name) {
        List<String> body = new ArrayList<>();
        boolean in = false, found = false;
        for (String line : lines) {
            String t = line.trim();
            if (t.equals("// README:begin " + name)) {
                in = found = true;
            } else if (in && t.equals("// README:end")) {
                in = false;
            } else if (in) body.add(line);
        }
        assertTrue(found && !in, "region '" + name + "' missing or unterminated in " + SOURCE);
        int indent = Integer.MAX_VALUE;
        for (String l : body)
            if (!l.isBlank())
                indent = Math.min(indent, l.length() - l.stripLeading().length());
        StringBuilder sb = new StringBuilder();
        for (String l : body) {
            if (sb.length() > 0) sb.append('\n');
            sb.append(l.isBlank() ? "" : l.substring(indent));
        }
        assertEquals(-1, sb.indexOf("README:"), "nested README markers");
        return sb.toString();
    }
}
