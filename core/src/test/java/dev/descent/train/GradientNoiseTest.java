package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Backends;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import org.junit.jupiter.api.Test;

class GradientNoiseTest {

    static final int[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128};

    static Dataset cancer() {
        Split split = Split.benchmark(Csv.load(Shared.data().resolve("breast_cancer.csv")));
        return Standardizer.fit(split.train()).apply(split.train());
    }

    @Test
    void minibatchNoiseFollowsOneOverSqrtB() {
        Dataset train = cancer();
        Sequential model = Models.logisticRegression(30);
        for (String b : new String[] {"scalar", "simd"}) {
            var r = GradientNoise.measure(
                    Backends.byName(b), model, Loss.bceWithLogits(), model.initialParameters(3), train, SIZES, 400, 11);
            assertTrue(r.sigma2() > 0 && r.fullGradientNorm2() > 0, r.toString());
            for (int k = 0; k < SIZES.length; k++) {
                double ratio = r.measuredStd(k) / r.predictedStd(SIZES[k]);
                System.out.printf(
                        "%s B=%3d measured std %.5f predicted σ/√B %.5f ratio %.3f%n",
                        b, SIZES[k], r.measuredStd(k), r.predictedStd(SIZES[k]), ratio);
                assertEquals(1, ratio, 0.2, b + " B=" + SIZES[k]);
            }
        }
    }

    @Test
    void sameSeedSameNumbersAndOneRowDataHasNoNoise() {
        Dataset train = cancer();
        Sequential model = Models.logisticRegression(30);
        float[] p = model.initialParameters(1);
        var a = GradientNoise.measure(Backends.byName("scalar"), model, Loss.bceWithLogits(), p, train, SIZES, 20, 5);
        var b = GradientNoise.measure(Backends.byName("scalar"), model, Loss.bceWithLogits(), p, train, SIZES, 20, 5);
        assertArrayEquals(a.variance(), b.variance());
        assertEquals(a.sigma2(), b.sigma2());

        Dataset one = train.select(new int[] {7}, "one row");
        var r = GradientNoise.measure(
                Backends.byName("scalar"), model, Loss.bceWithLogits(), p, one, new int[] {1, 4}, 5, 5);
        assertEquals(0, r.sigma2(), 1e-12);
        assertEquals(0, r.variance()[1], 1e-10);
    }

    @Test
    void rejectsWhatItCannotMeasure() {
        Dataset train = cancer();
        Sequential model = Models.logisticRegression(30);
        float[] p = model.initialParameters(1);
        var backend = Backends.byName("scalar");
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> GradientNoise.measure(backend, model, Loss.bceWithLogits().sum(), p, train, SIZES, 20, 5));
        assertTrue(e.getMessage().contains("mean-reduced"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> GradientNoise.measure(backend, model, Loss.bceWithLogits(), p, train, new int[] {0}, 20, 5));
        assertThrows(
                IllegalArgumentException.class,
                () -> GradientNoise.measure(backend, model, Loss.bceWithLogits(), p, train, SIZES, 1, 5));
    }
}
