package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import dev.descent.loss.BceWithLogits;
import dev.descent.loss.Hinge;
import dev.descent.loss.Loss;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central finite differences against the analytic gradients of every loss and of every layer
 * activation. Differences are taken in double precision over the actually representable float
 * perturbation, so float rounding of the step does not enter the quotient.
 */
class GradientCheckTest {

    static Stream<Arguments> losses() {
        return Stream.of(Loss.Reduction.MEAN, Loss.Reduction.SUM)
                .flatMap(r -> Stream.of(
                        Loss.mse().reduction(r),
                        Loss.softmaxCrossEntropy().reduction(r),
                        Loss.bceWithLogits().reduction(r),
                        Loss.huber(1.0).reduction(r),
                        Loss.huber(0.3).reduction(r),
                        Loss.hinge().reduction(r)))
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("losses")
    void lossGradientMatchesFiniteDifferences(Loss loss) {
        int rows = 7, cols = 4;
        SplittableRandom rnd = new SplittableRandom(11);
        float[] pred = randoms(rnd, rows * cols, 2.0);
        float[] target = targets(loss, rnd, rows, cols);
        float[] grad = new float[pred.length];
        loss.valueAndGradient(pred, 0, target, 0, rows, cols, grad, 0, 1f);
        for (int i = 0; i < pred.length; i++) {
            float saved = pred[i];
            float up = saved + 1e-3f, down = saved - 1e-3f;
            pred[i] = up;
            double fUp = loss.value(pred, 0, target, 0, rows, cols);
            pred[i] = down;
            double fDown = loss.value(pred, 0, target, 0, rows, cols);
            pred[i] = saved;
            double fd = (fUp - fDown) / ((double) up - down);
            assertEquals(fd, grad[i], 1e-4 + 1e-3 * Math.abs(fd), loss + " element " + i);
        }
        float[] scaled = new float[pred.length];
        loss.valueAndGradient(pred, 0, target, 0, rows, cols, scaled, 0, 0.25f);
        for (int i = 0; i < pred.length; i++) assertEquals(grad[i] * 0.25f, scaled[i], 1e-7, "gradScale");
    }

    static Stream<Arguments> layers() {
        List<Activation> acts = List.of(
                Activation.IDENTITY, Activation.RELU, Activation.leakyRelu(0.1f), Activation.TANH, Activation.SIGMOID);
        return Stream.of(new ScalarBackend(), new SimdBackend()).flatMap(b -> acts.stream()
                .flatMap(a -> Stream.of(Loss.mse(), Loss.softmaxCrossEntropy(), Loss.bceWithLogits())
                        .map(l -> Arguments.of(b, a, l))));
    }

    @ParameterizedTest
    @MethodSource("layers")
    void mlpGradientMatchesFiniteDifferences(Backend backend, Activation hidden, Loss loss) {
        Sequential model =
                Sequential.input(5).dense(6, hidden).dense(4, hidden).dense(3).build();
        int rows = 9;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = randoms(rnd, rows * 5, 1.5);
        float[] y = targets(loss, rnd, rows, 3);
        float[] params = model.initialParameters(5);
        for (int i = 0; i < params.length; i++) params[i] += (float) (rnd.nextDouble() * 0.2 - 0.1); // non-zero biases

        float[] grad = new float[params.length];
        try (var s = TrainingSession.open(backend, model, loss, Optimizers.sgd(0.1), params)) {
            s.accumulate(x, y, rows, 1f);
            s.readGradient(grad);
        }
        Sequential.Workspace ws = model.workspace(rows);
        boolean kinked = hidden.kind() == Activation.Kind.RELU || hidden.kind() == Activation.Kind.LEAKY_RELU;
        double f0 = loss.value(model.forward(backend, params, x, rows, ws), 0, y, 0, rows, 3);
        int skipped = 0;
        for (int i = 0; i < params.length; i++) {
            float saved = params[i];
            float up = saved + 2e-3f, down = saved - 2e-3f;
            params[i] = up;
            double fUp = loss.value(model.forward(backend, params, x, rows, ws), 0, y, 0, rows, 3);
            params[i] = down;
            double fDown = loss.value(model.forward(backend, params, x, rows, ws), 0, y, 0, rows, 3);
            params[i] = saved;
            double fd = (fUp - fDown) / ((double) up - down);
            double right = (fUp - f0) / ((double) up - saved), left = (f0 - fDown) / ((double) saved - down);
            if (kinked && Math.abs(right - left) > 2e-3 * (1 + Math.abs(fd))) {
                skipped++; // a ReLU changes sign within the step: the function has a kink here
                continue;
            }
            assertEquals(fd, grad[i], 2e-3 + 1e-2 * Math.abs(fd), hidden + "/" + loss + " parameter " + i);
        }
        assertTrue(skipped <= 3, skipped + " of " + params.length + " parameters sit on a ReLU kink");
    }

    private static float[] randoms(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return a;
    }

    /** Targets in each loss's domain: classes, 0/1, ±1 (kept away from hinge's kink), or reals. */
    private static float[] targets(Loss loss, SplittableRandom rnd, int rows, int cols) {
        if (loss.classIndexTargets()) {
            float[] t = new float[rows];
            for (int i = 0; i < rows; i++) t[i] = rnd.nextInt(cols);
            return t;
        }
        float[] t = randoms(rnd, rows * cols, 1.0);
        if (loss instanceof BceWithLogits) for (int i = 0; i < t.length; i++) t[i] = rnd.nextInt(2);
        if (loss instanceof Hinge) for (int i = 0; i < t.length; i++) t[i] = rnd.nextBoolean() ? 1f : -1f;
        return t;
    }
}
