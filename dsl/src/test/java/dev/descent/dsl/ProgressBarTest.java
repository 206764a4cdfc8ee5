package dev.descent.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress bar draws on a console and stays silent without one. */
class ProgressBarTest {

    private static TrainingBuilder run() {
        return Descent.train(Models.mlp(64).dense(16, Activation.RELU).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1))
                .epochs(2)
                .backend("scalar");
    }

    @Test
    void quietWithoutAConsoleEvenWhenAskedFor() {
        assertNull(System.console(), "tests run without a console (Surefire pipes the output)");
        assertFalse(new ProgressBarCallback().draws());
        assertFalse(ProgressBarCallback.shouldDraw(true));
        assertFalse(ProgressBarCallback.shouldDraw(null));
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        try {
            System.setOut(capture);
            System.setErr(capture);
            run().progressBar(true).fit(Digits.train());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void drawsEpochLossSpeedAndEtaOnAConsole() throws Exception {
        ByteArrayOutputStream drawn = new ByteArrayOutputStream();
        ProgressBarCallback bar = new ProgressBarCallback(new PrintStream(drawn, true, StandardCharsets.UTF_8), 120);
        assertTrue(bar.draws());
        run().progressBar(false).callbacks(bar).fit(Digits.train());
        bar.close();
        String text = drawn.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("train"), text);
        assertTrue(text.contains("epoch 2/2"), text);
        assertTrue(text.contains("loss"), text);
        assertTrue(text.contains("samples/s"), text);
        assertTrue(text.contains("90/90"), "the bar counts optimizer steps: " + text);
    }

    @Test
    void explicitlyOffNeverDraws() {
        assertFalse(ProgressBarCallback.shouldDraw(false));
    }
}
