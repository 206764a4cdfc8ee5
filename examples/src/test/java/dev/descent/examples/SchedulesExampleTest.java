package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulesExampleTest {

    @TempDir
    Path dir;

    @Test
    void everyScheduleTrainsAndIsDrawn() throws IOException {
        SchedulesExample s =
                Outputs.run(new SchedulesExample(), "--out", dir.toString(), "--epochs", "3", "--backend", "scalar");
        var r = s.result;
        assertEquals(15, r.runs().size());
        assertEquals(3 * 114, r.steps()); // 456 training rows, batches of 4
        var names = new HashSet<String>();
        for (var run : r.runs()) {
            names.add(run.schedule().name());
            double start = run.trainLoss()[0];
            assertTrue(Double.isFinite(run.finalLoss()), run.schedule().name());
            assertTrue(run.finalLoss() < 0.5 * start, run.schedule().name() + ": " + start + " -> " + run.finalLoss());
            assertTrue(run.testAccuracy() > 0.9, run.schedule().name() + " test accuracy " + run.testAccuracy());
            for (double lr : run.lr())
                assertTrue(lr >= 0 && lr <= 1 + 1e-12, run.schedule().name() + " lr " + lr);
        }
        assertEquals(15, names.size(), "names are distinct");
        // shapes: warmup starts at 0, the decays to zero end near 0, constant stays at the base rate
        for (var run : r.runs()) {
            double[] lr = run.lr();
            switch (run.schedule().name()) {
                case "warmup(T/10) then cosine" -> assertEquals(0, lr[0], 1e-12);
                case "linear(1, 0, T)", "cosine(T)", "polynomialToZero(T, 2)" -> assertTrue(lr[lr.length - 1] < 0.02);
                case "constant(1)" -> assertEquals(1, lr[lr.length - 1], 1e-12);
                default -> {}
            }
        }
        // with batches of 4 at rate 1 the constant rate stays noisy; decaying it to 0 ends lower
        double constant = finalLoss(r, "constant(1)");
        for (String decay : new String[] {"linear(1, 0, T)", "cosine(T)", "step(T/4, 0.5)"})
            assertTrue(finalLoss(r, decay) < 0.8 * constant, decay + " vs constant " + constant);
        Outputs.png(dir.resolve("schedules.png"), 1400, 940);
        Outputs.png(dir.resolve("loss.png"), 1400, 940);
        Outputs.png(dir.resolve("final-loss.png"), 1000, 760);
        Outputs.csv(dir.resolve("schedules.csv"), "schedule,step,lr", 15 * 87);
        Outputs.csv(dir.resolve("loss.csv"), "schedule,epoch,train_loss", 15 * 4);
        Outputs.csv(dir.resolve("final.csv"), "schedule,family,final_train_loss,test_accuracy", 15);
    }

    private static double finalLoss(SchedulesExample.Result r, String name) {
        return r.runs().stream()
                .filter(run -> run.schedule().name().equals(name))
                .findFirst()
                .orElseThrow()
                .finalLoss();
    }
}
