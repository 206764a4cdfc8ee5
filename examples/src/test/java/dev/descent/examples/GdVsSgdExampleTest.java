package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GdVsSgdExampleTest {

    @TempDir
    Path dir;

    @Test
    void sgdReachesTheLossInFewerEpochs() throws IOException {
        GdVsSgdExample g =
                Outputs.run(new GdVsSgdExample(), "--out", dir.toString(), "--epochs", "15", "--backend", "scalar");
        var r = g.result;
        var gd = r.gd();
        var sgd = r.sgd();
        assertEquals(456, r.rows());
        assertEquals(1, gd.stepsPerEpoch());
        assertEquals(29, sgd.stepsPerEpoch());
        assertEquals(gd.loss()[0], sgd.loss()[0], 1e-12, "same initial parameters");
        assertTrue(sgd.last() < gd.last(), "after the same epochs SGD " + sgd.last() + " vs GD " + gd.last());
        int es = sgd.epochReaching(r.target()), eg = gd.epochReaching(r.target());
        assertTrue(es >= 1 && es < eg, "epochs to " + r.target() + ": SGD " + es + ", GD " + eg);
        for (int e = 1; e < gd.seconds().length; e++) {
            assertTrue(gd.seconds()[e] >= gd.seconds()[e - 1], "GD clock runs forward");
            assertTrue(sgd.seconds()[e] >= sgd.seconds()[e - 1], "SGD clock runs forward");
        }
        assertTrue(r.testAccuracySgd() > 0.9 && r.testAccuracyGd() > 0.9);
        Outputs.png(dir.resolve("loss.png"), 1600, 560);
        Outputs.csv(dir.resolve("loss.csv"), "run,batch_size,lr,epoch,seconds,train_loss", 2 * 16);
    }
}
