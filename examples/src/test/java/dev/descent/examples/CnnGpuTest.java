package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.data.Split;
import dev.descent.gpu.RequiresOpenCl;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cnn on the gpu backend: the device session runs the convolutions, pools and the dense layer (the
 * model's own layer objects) and trains as simd does: the same per-epoch losses to float rounding
 * and the same test accuracy.
 */
@RequiresOpenCl
class CnnGpuTest {

    @TempDir
    Path dir;

    @Test
    void theCnnTrainsOnTheGpuAsOnSimd() {
        Split s = EmbeddedData.mnist10k();
        Split small = new Split(MnistExample.first(s.train(), 256), MnistExample.first(s.test(), 64));
        var gpu = CnnExample.compute(small, 0.05, 0.9, 64, 2, 42, "gpu", false, dir.resolve("g"), false);
        var simd = CnnExample.compute(small, 0.05, 0.9, 64, 2, 42, "simd", false, dir.resolve("s"), false);
        var hg = gpu.fit().history().epochs();
        var hs = simd.fit().history().epochs();
        assertEquals(2, hg.size());
        for (int e = 0; e < 2; e++) {
            assertEquals(
                    hs.get(e).loss(),
                    hg.get(e).loss(),
                    1e-4 * Math.abs(hs.get(e).loss()),
                    "epoch " + e);
            assertEquals(
                    hs.get(e).valLoss(),
                    hg.get(e).valLoss(),
                    1e-4 * Math.abs(hs.get(e).valLoss()),
                    "epoch " + e);
        }
        assertEquals(simd.testAccuracy(), gpu.testAccuracy(), 1.5 / 64, "test accuracy");
    }
}
