package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AveragingExampleTest {

    @TempDir
    Path dir;

    @Test
    void everyVariantPerEpochAndTheFiles() throws IOException {
        for (String seed : new String[] {"1", "2", "3"}) {
            Path out = dir.resolve("s" + seed);
            AveragingExample a = Outputs.run(
                    new AveragingExample(),
                    "--out",
                    out.toString(),
                    "--epochs",
                    "12",
                    "--swa-start",
                    "4",
                    "--seed",
                    seed,
                    "--backend",
                    "simd");
            var r = a.result;
            assertEquals(4, r.curves().size());
            var last = r.curve("last");
            for (var c : r.curves()) {
                assertEquals(12, c.testLoss().length);
                assertTrue(Double.isFinite(c.finalTestLoss()), c.variant() + " " + c.finalTestLoss());
                assertTrue(c.finalTestAcc() > 0.85, c.variant() + " accuracy " + c.finalTestAcc());
            }
            // SWA holds no average before its start epoch: it evaluates the last iterate, the same run
            for (int e = 0; e < 3; e++)
                assertEquals(last.testLoss()[e], r.curve("swa").testLoss()[e], 1e-12);
            // a lower final test loss than the last iterate's is NOT asserted: on the 114 test rows it held
            // for some seeds and not for others (checked with seeds 1-3, B = 1 and 4)
            assertTrue(Double.isFinite(r.curve("polyak").trainLoss()[11]));
            Outputs.png(out.resolve("loss.png"), 1600, 560);
            Outputs.png(out.resolve("accuracy.png"), 1600, 560);
            Outputs.csv(
                    out.resolve("curves.csv"), "variant,epoch,train_loss,train_accuracy,test_loss,test_accuracy", 48);
        }
    }

    @Test
    void swaFromTheFirstEpochIsPolyak() {
        var split = dev.descent.data.Split.benchmark(EmbeddedData.breastCancer());
        var r = AveragingExample.compute("simd", split, "bc", 3, 8, 0.5, 0.99, 1, 7);
        var polyak = r.curve("polyak");
        var swa = r.curve("swa");
        for (int e = 0; e < 3; e++) {
            assertEquals(polyak.testLoss()[e], swa.testLoss()[e], 0.0, "epoch " + (e + 1));
            assertEquals(polyak.trainLoss()[e], swa.trainLoss()[e], 0.0, "epoch " + (e + 1));
        }
        // and the averages are not the last iterate
        assertTrue(polyak.testLoss()[2] != r.curve("last").testLoss()[2]);
    }

    @Test
    void badValuesNameTheOption() {
        var split = dev.descent.data.Split.benchmark(EmbeddedData.breastCancer());
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> AveragingExample.compute("simd", split, "bc", 5, 8, 0.5, 1.5, 2, 1));
        assertTrue(e.getMessage().contains("--ema-decay"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> AveragingExample.compute("simd", split, "bc", 5, 8, 0.5, 0.99, 9, 1));
        assertTrue(e.getMessage().contains("--swa-start"), e.getMessage());
    }
}
