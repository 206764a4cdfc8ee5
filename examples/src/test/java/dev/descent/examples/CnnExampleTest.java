package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.train.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CnnExampleTest {

    @TempDir
    Path dir;

    /** One epoch on the first 1,000 training digits (250 test digits): accuracy and every file. */
    @Test
    void trainsTheCnnAndWritesWhatMnistWrites() throws IOException {
        CnnExample cnn = Outputs.run(
                new CnnExample(),
                "--limit",
                "1000",
                "--epochs",
                "2",
                "--backend",
                "simd",
                "--out",
                dir.toString(),
                "--no-progress");
        var r = cnn.result;
        assertEquals(1000, r.train().rows());
        assertEquals(250, r.test().rows());
        assertEquals(2 * 16, r.totalSteps()); // 1000 rows in batches of 64: 16 steps per epoch
        History h = r.fit().history();
        assertEquals(2, h.epochs().size());
        assertTrue(r.testAccuracy() > 0.75, "test accuracy " + r.testAccuracy());
        assertEquals(r.testAccuracy(), h.lastEpoch().valAccuracy(), 1e-12, "validation = test split");
        assertEquals(Math.round((1 - r.testAccuracy()) * 250), r.misclassified().length);
        assertTrue(h.lastEpoch().loss() < h.epochs().get(0).loss(), "training loss falls");
        assertEquals(18_378, r.fit().model().parameterCount());

        Outputs.png(dir.resolve("training.png"), 1520, 520);
        Outputs.png(dir.resolve("lr.png"), 900, 600);
        assertEquals(
                3,
                Outputs.csv(
                                dir.resolve("epochs.csv"),
                                "epoch,steps,samples,loss,val_loss,val_accuracy,val_rmse,lr,seconds",
                                2)
                        .size());
        assertEquals(
                33,
                Outputs.csv(dir.resolve("steps.csv"), "step,epoch,loss,lr,grad_norm,seconds", 32)
                        .size());
        assertTrue(Files.exists(dir.resolve("misclassified.png")));
        // the checkpoint holds the parameters under PyTorch's names: 4 bytes each plus the header
        Path model = dir.resolve("checkpoint").resolve(Checkpoint.MODEL_FILE);
        assertTrue(Files.size(model) > 4 * 18_378, "parameters stored");
        String header = new String(Files.readAllBytes(model), 0, 600, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("\"layers.0.weight\"") && header.contains("[16,1,5,5]"), header);
        assertTrue(header.contains("\"layers.7.weight\"") && header.contains("[10,512]"), header);
    }
}
