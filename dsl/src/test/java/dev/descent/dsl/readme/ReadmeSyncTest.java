package dev.descent.dsl.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.ReadmeRegions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's training scripts are the regions marked {@code // README:begin name} … {@code //
 * README:end} in the test sources that run them: the README must show each region exactly (dedented,
 * in a fenced block of the file's language), so it cannot go stale. The mechanism is {@link
 * ReadmeRegions} (core's test-jar), shared with the examples module.
 */
class ReadmeSyncTest {

    static final List<String> SCRIPTS = List.of(
            "src/test/java/dev/descent/dsl/readme/ReadmeJavaScriptTest.java",
            "src/test/kotlin/dev/descent/dsl/readme/ReadmeKotlinScriptSpec.kt",
            "src/test/java/dev/descent/dsl/readme/ReadmeOptimizerTest.java",
            "src/test/java/dev/descent/dsl/readme/Signum.java",
            "src/test/java/dev/descent/dsl/readme/ReadmeCustomOptimizerTest.java",
            "../core/src/test/java/com/example/layers/Swish.java",
            "src/test/java/dev/descent/dsl/readme/ReadmeLayerTest.java",
            "src/test/java/dev/descent/dsl/readme/ReadmeGroupsTest.java");

    @Test
    void theReadmeShowsEveryScriptRegionVerbatim() throws IOException {
        assertEquals(8, ReadmeRegions.assertShown(readme(), SCRIPTS));
    }

    /** The README beside the dsl module. */
    static Path readme() {
        return Path.of("..", "README.md");
    }

    /** Prints the README blocks (run by hand when a script changes). */
    public static void main(String[] args) throws IOException {
        ReadmeRegions.print(SCRIPTS);
    }
}
