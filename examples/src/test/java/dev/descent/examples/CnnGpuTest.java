package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.Split;
import dev.descent.gpu.RequiresOpenCl;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gpu backend runs dense layers only: cnn on it fails naming the convolution and the backend. */
@RequiresOpenCl
class CnnGpuTest {

    @TempDir
    Path dir;

    @Test
    void theGpuBackendRefusesTheConvolutionByName() {
        Split s = EmbeddedData.mnist10k();
        Split small = new Split(MnistExample.first(s.train(), 128), MnistExample.first(s.test(), 32));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> CnnExample.compute(small, 0.05, 0.9, 64, 1, 42, "gpu", false, dir.resolve("c"), false));
        assertTrue(e.getMessage().contains("gpu backend cannot run layer layers.0 (conv2d)"), e.getMessage());
    }
}
