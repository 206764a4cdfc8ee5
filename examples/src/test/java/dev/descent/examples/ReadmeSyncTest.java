package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.ReadmeRegions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README shows the flagship's training code and the linear-regression script in Java and in
 * Kotlin side by side: the regions marked {@code // README:begin name} … {@code // README:end} in the
 * examples' sources, verbatim ({@link ReadmeRegions}, the dsl module's mechanism, from core's
 * test-jar).
 */
class ReadmeSyncTest {

    static final List<String> SCRIPTS = List.of(
            "src/main/java/dev/descent/examples/MnistExample.java",
            "src/main/java/dev/descent/examples/LinearRegressionExample.java",
            "src/main/kotlin/dev/descent/examples/LinearRegressionScript.kt");

    @Test
    void theReadmeShowsTheFlagshipAndBothLinearRegressionScriptsVerbatim() throws IOException {
        assertEquals(3, ReadmeRegions.assertShown(Path.of("..", "README.md"), SCRIPTS));
    }

    /** Prints the README blocks (run by hand when a script changes). */
    public static void main(String[] args) throws IOException {
        ReadmeRegions.print(SCRIPTS);
    }
}
