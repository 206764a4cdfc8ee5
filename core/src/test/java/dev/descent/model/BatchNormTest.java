package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BatchNorm1d/2d: exact backward (gradient checks in double, training and evaluation, scalar and
 * simd), running statistics against a direct computation, buffers declared and named like PyTorch's,
 * the batch of one row and wrong input ranks refused, and update_bn's recomputed statistics.
 */
class BatchNormTest {

    static Stream<Arguments> cases() {
        return Stream.of(new ScalarBackend(), new SimdBackend()).flatMap(b -> Stream.of(true, false)
                .flatMap(training -> Stream.of(
                        Arguments.of(b, BatchNorm.batchNorm1d(5), new int[] {5}, training),
                        Arguments.of(b, BatchNorm.batchNorm1d(3), new int[] {3, 4}, training),
                        Arguments.of(b, BatchNorm.batchNorm2d(2), new int[] {2, 3, 3}, training),
                        Arguments.of(b, BatchNorm.batchNorm2d(3).withEps(1e-3), new int[] {3, 2, 2}, training))));
    }

    @ParameterizedTest(name = "{1} {2} training={3} on {0}")
    @MethodSource("cases")
    void gradientCheck(Backend b, BatchNorm layer, int[] shape, boolean training) {
        var report =
                GradientCheck.of(layer, shape).rows(4).training(training).run(b).assertPassed();
        assertTrue(report.checked() > 20, report.toString());
    }

    @Test
    void declaresPyTorchsParametersAndBuffers() {
        Sequential m =
                Sequential.inputShape(2, 3, 3).add(BatchNorm.batchNorm2d(2)).build();
        assertEquals(
                List.of("layers.0.weight", "layers.0.bias"),
                m.parameters().stream().map(Sequential.Slot::name).toList());
        assertEquals(
                List.of("layers.0.running_mean", "layers.0.running_var", "layers.0.num_batches_tracked"),
                m.buffers().stream().map(Sequential.Slot::name).toList());
        assertArrayEquals(new int[0], m.buffers().get(2).shape());
        assertEquals(5, m.bufferCount());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0}, m.initialBuffers());
        assertArrayEquals(new float[] {1, 1, 0, 0}, m.initialParameters(3));
    }

    /** Per channel of {@code [C, S]} examples: mean, biased variance and unbiased variance, in double. */
    static double[][] statistics(float[] x, int rows, int channels, int positions) {
        double[][] out = new double[3][channels];
        long n = (long) rows * positions;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++)
                for (int s = 0; s < positions; s++) sum += x[r * channels * positions + c * positions + s];
            double mean = sum / n, sq = 0;
            for (int r = 0; r < rows; r++)
                for (int s = 0; s < positions; s++) {
                    double d = x[r * channels * positions + c * positions + s] - mean;
                    sq += d * d;
                }
            out[0][c] = mean;
            out[1][c] = sq / n;
            out[2][c] = sq / (n - 1);
        }
        return out;
    }

    static float[] uniform(long seed, int n, double shift) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 4 - 2 + shift);
        return a;
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("backends")
    void trainingNormalisesWithTheBatchAndUpdatesTheRunningStatisticsWithMomentum(Backend b) {
        int rows = 6, channels = 3, positions = 4;
        Sequential m = Sequential.inputShape(channels, 2, 2)
                .add(BatchNorm.batchNorm2d(channels).withMomentum(0.25))
                .build();
        float[] params = {1.5f, 0.5f, 2f, 0.1f, -0.2f, 0.3f}; // weight, bias
        float[] buffers = m.initialBuffers();
        float[] x1 = uniform(1, rows * 12, 1), x2 = uniform(2, rows * 12, -0.5);
        var ws = m.workspace(rows).training(1, 0, 0);
        float[] y = m.forward(b, params, buffers, x1, rows, ws).clone();
        double[][] s1 = statistics(x1, rows, channels, positions);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < positions; p++) {
                    int i = r * 12 + c * 4 + p;
                    double want = (x1[i] - s1[0][c]) / Math.sqrt(s1[1][c] + 1e-5) * params[c] + params[3 + c];
                    assertEquals(want, y[i], 1e-5 * (1 + Math.abs(want)), "y[" + i + "]");
                }
        m.forward(b, params, buffers, x2, rows, ws);
        double[][] s2 = statistics(x2, rows, channels, positions);
        for (int c = 0; c < channels; c++) {
            double mean = 0.75 * (0.25 * s1[0][c]) + 0.25 * s2[0][c];
            double var = 0.75 * (0.75 + 0.25 * s1[2][c]) + 0.25 * s2[2][c];
            assertEquals(mean, buffers[c], 1e-6, "running_mean[" + c + "]");
            assertEquals(var, buffers[3 + c], 1e-6, "running_var[" + c + "]");
        }
        assertEquals(2f, buffers[6], "num_batches_tracked");

        float[] before = buffers.clone();
        float[] e = m.forward(b, params, buffers, x1, rows, ws.evaluation());
        assertArrayEquals(before, buffers, "evaluation leaves the buffers alone");
        for (int i = 0; i < rows * 12; i++) {
            int c = (i % 12) / 4;
            double want = (x1[i] - buffers[c]) / Math.sqrt(buffers[3 + c] + 1e-5) * params[c] + params[3 + c];
            assertEquals(want, e[i], 1e-5 * (1 + Math.abs(want)), "evaluation y[" + i + "]");
        }
    }

    static Stream<Backend> backends() {
        return Stream.of(new ScalarBackend(), new SimdBackend());
    }

    @Test
    void aBatchOfOneRowFailsInTrainingButNotInEvaluation() {
        Sequential m = Sequential.input(3).dense(4).add(new BatchNorm(4)).build();
        Backend b = new ScalarBackend();
        float[] p = m.initialParameters(1), x = {1, 2, 3};
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> m.forward(b, p, m.initialBuffers(), x, 1, m.workspace(1).training(1, 0, 0)));
        assertEquals(
                "layer layers.1 (batch_norm1d(4)) in training needs more than one value per channel, got a batch of 1"
                        + " row of 1 position (use batches of at least 2 rows, or evaluate)",
                e.getMessage());
        m.forward(b, p, m.initialBuffers(), x, 1, m.workspace(1).evaluation());
        // [C, L] with L > 1 has several values per channel in one row, as in PyTorch
        Sequential seq =
                Sequential.inputShape(2, 3).add(BatchNorm.batchNorm1d(2)).build();
        seq.forward(
                b,
                new float[] {1, 1, 0, 0},
                seq.initialBuffers(),
                uniform(3, 6, 0),
                1,
                seq.workspace(1).training(1, 0, 0));
    }

    @Test
    void wrongInputRankOrChannelsIsRefusedAtBuildNamingLayerAndShapes() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Sequential.input(8).dense(4, Activation.RELU).add(BatchNorm.batchNorm2d(4)));
        assertEquals(
                "layer layers.1 (batch_norm) cannot take input shape [4]: batch_norm2d over 4 channels takes input shape"
                        + " [4, H, W], got [4] (rank 1)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.inputShape(3, 4, 4)
                .add(BatchNorm.batchNorm1d(3)));
        assertEquals(
                "layer layers.0 (batch_norm) cannot take input shape [3, 4, 4]: batch_norm1d over 3 features takes input"
                        + " shape [3] or [3, L], got [3, 4, 4] (rank 3)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.inputShape(3, 4, 4)
                .add(BatchNorm.batchNorm2d(2)));
        assertTrue(e.getMessage().contains("batch_norm2d over 2 channels takes input shape [2, H, W], got [3, 4, 4]"));
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.inputShape(3, 4, 4)
                .add(new Dense(48, 10, Activation.IDENTITY, 0)));
        assertEquals(
                "layer layers.0 (dense) cannot take input shape [3, 4, 4]: a dense layer 48→10 takes input shape [48],"
                        + " got [3, 4, 4] (put a flatten layer before it)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Sequential.input(5).dense(4).add(new LayerNorm(5)));
        assertEquals(
                "layer layers.1 (layer_norm) cannot take input shape [4]: layer norm over 5 features takes input"
                        + " shape [5], got [4]",
                e.getMessage());
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("backends")
    void recomputedStatisticsAreTheEqualAverageOfTheBatchStatistics(Backend b) {
        int rows = 21, batch = 5; // batches of 5, 5, 5 and 6: the last row joins the last batch
        Sequential m = Sequential.input(3)
                .dense(4, Activation.TANH)
                .add(new BatchNorm(4))
                .build();
        float[] params = m.initialParameters(4);
        float[] x = uniform(5, rows * 3, 0.5);
        float[] buffers = m.initialBuffers();
        java.util.Arrays.fill(buffers, 7f); // stale values: all are reset first
        m.recomputeStatistics(b, params, buffers, x, rows, batch);
        // the direct computation: the hidden layer's outputs of each batch, their mean and unbiased variance
        var hidden = Sequential.input(3).dense(4, Activation.TANH).build();
        int[] sizes = {5, 5, 5, 6};
        double[] mean = new double[4], var = new double[4];
        int start = 0;
        for (int size : sizes) {
            float[] part = java.util.Arrays.copyOfRange(x, start * 3, (start + size) * 3);
            float[] h = hidden.forward(b, java.util.Arrays.copyOf(params, 16), part, size, hidden.workspace(size));
            double[][] s = statistics(java.util.Arrays.copyOf(h, size * 4), size, 4, 1);
            for (int c = 0; c < 4; c++) {
                mean[c] += s[0][c] / sizes.length;
                var[c] += s[2][c] / sizes.length;
            }
            start += size;
        }
        for (int c = 0; c < 4; c++) {
            assertEquals(mean[c], buffers[c], 1e-6, "running_mean[" + c + "]");
            assertEquals(var[c], buffers[4 + c], 1e-6, "running_var[" + c + "]");
        }
        assertEquals(4f, buffers[8], "num_batches_tracked");
    }
}
