package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSizeExampleTest {

    @TempDir
    Path dir;

    @Test
    void smallBatchesGetFurtherPerEpochLargeOnesTakeFewerSteps() throws IOException {
        BatchSizeExample b = Outputs.run(
                new BatchSizeExample(),
                "--out",
                dir.toString(),
                "--limit",
                "1000",
                "--epochs",
                "2",
                "--batch-sizes",
                "1,16,256",
                "--backend",
                "simd");
        var r = b.result;
        assertEquals(1000, r.rows());
        assertEquals(3, r.runs().size());
        var b1 = r.run(1);
        var b16 = r.run(16);
        var b256 = r.run(256);
        assertEquals(1000, b1.stepsPerEpoch());
        assertEquals(63, b16.stepsPerEpoch());
        assertEquals(4, b256.stepsPerEpoch());
        // learning rates: linear scaling from 0.005 at B = 1, capped at 0.5
        assertEquals(0.005, b1.lr(), 1e-12);
        assertEquals(0.08, b16.lr(), 1e-12);
        assertEquals(0.5, b256.lr(), 1e-12);
        // seconds per epoch are measured and plotted, not asserted: a timed assertion fails on a loaded
        // machine (speed lives in the benchmarks); the step counts above are what makes B=256 faster
        assertTrue(b1.secondsPerEpoch() > 0 && b256.secondsPerEpoch() > 0, "epochs are timed");
        assertTrue(b1.trainLoss() < b256.trainLoss(), "loss B=1 " + b1.trainLoss() + " vs B=256 " + b256.trainLoss());
        for (var run : r.runs()) {
            assertTrue(run.trainLoss() < Math.log(10), "B=" + run.batchSize() + " learned: " + run.trainLoss());
            assertTrue(run.testAccuracy() > 0.6, "B=" + run.batchSize() + " accuracy " + run.testAccuracy());
            assertEquals(2000, run.curve().samples()[run.curve().size() - 1], 1e-9, "samples seen");
        }
        Outputs.png(dir.resolve("loss.png"), 1600, 560);
        Outputs.png(dir.resolve("accuracy.png"), 700, 500);
        Outputs.csv(dir.resolve("curves.csv"), "batch_size,lr,samples,epochs,seconds,train_loss", 20);
        Outputs.csv(
                dir.resolve("final.csv"),
                "batch_size,lr,steps_per_epoch,seconds_per_epoch,train_loss,test_loss,test_accuracy",
                3);
    }

    @Test
    void learningRateRules() {
        assertEquals(0.01, BatchSizeExample.lrFor("fixed", 0.01, 1, 256, 0.5));
        assertEquals(0.5, BatchSizeExample.lrFor("linear", 0.01, 1, 256, 0.5));
        assertEquals(0.16, BatchSizeExample.lrFor("sqrt", 0.01, 1, 256, 0.5), 1e-12);
    }
}
