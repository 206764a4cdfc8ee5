package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.backend.ScalarBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DropoutTest {
    static final int ROWS = 100, WIDTH = 100;
    final Sequential model = Models.sequential(WIDTH).add(new Dropout(0.25)).build();
    final ScalarBackend b = new ScalarBackend();
    final float[] x = new float[ROWS * WIDTH];

    {
        Arrays.fill(x, 2f);
    }

    float[] pass(Sequential.Workspace ws) {
        return model.forward(b, new float[0], x, ROWS, ws).clone();
    }

    @Test
    void zeroesAboutPAndScalesTheRestInTraining() {
        float[] y = pass(model.workspace(ROWS).training(7, 3, 0));
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) zeros++;
            else assertEquals(2f / 0.75f, v, 0f);
        }
        // 10,000 Bernoulli(0.25) draws: 2,500 ± 43 (σ); allow 4σ
        assertEquals(2500, zeros, 175, "zeroed elements");
        float[] dx = new float[x.length], dOut = new float[x.length];
        Arrays.fill(dOut, 1f);
        var ws = model.workspace(ROWS).training(7, 3, 0);
        float[] again = pass(ws);
        model.backward(b, new float[0], x, ROWS, ws, dOut, new float[0], false, dx);
        for (int i = 0; i < x.length; i++) assertEquals(again[i] / 2f, dx[i], 0f, "gradient goes through the kept");
    }

    @Test
    void masksDependOnSeedStepAndMicroBatchOnly() {
        float[] a = pass(model.workspace(ROWS).training(7, 3, 0));
        assertArrayEquals(a, pass(model.workspace(ROWS).training(7, 3, 0)));
        assertFalse(Arrays.equals(a, pass(model.workspace(ROWS).training(7, 4, 0))), "another step");
        assertFalse(Arrays.equals(a, pass(model.workspace(ROWS).training(7, 3, 1))), "another micro-batch");
        assertFalse(Arrays.equals(a, pass(model.workspace(ROWS).training(8, 3, 0))), "another seed");
    }

    @Test
    void isTheIdentityInEvaluation() {
        assertArrayEquals(x, pass(model.workspace(ROWS)));
        assertArrayEquals(x, pass(model.workspace(ROWS).training(7, 3, 0).evaluation()));
    }

    @Test
    void rejectsAProbabilityOutsideZeroToOne() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1));
        assertEquals("dropout p must be in [0, 1), got 1.0", e.getMessage());
    }
}
