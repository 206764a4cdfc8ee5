package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.ReadmeRegions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's user-written optimizer is {@link Signum}, verbatim (the region marked {@code //
 * README:begin my-optimizer}), which the gpu tests train on the device.
 */
class ReadmeSyncTest {

    static final List<String> SOURCES = List.of("src/test/java/dev/descent/gpu/Signum.java");

    @Test
    void theReadmeShowsTheUserWrittenOptimizerVerbatim() throws IOException {
        assertEquals(1, ReadmeRegions.assertShown(Path.of("..", "README.md"), SOURCES));
    }
}
