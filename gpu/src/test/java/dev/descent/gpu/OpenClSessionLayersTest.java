package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.backend.ScalarBackend;
import dev.descent.gpu.OpenClTrainingSessionTest.Compare;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.Clipping;
import dev.descent.train.TrainingSession;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device session runs every built-in layer (convolution, batch norm with its running
 * statistics, max and average pooling, flatten, dropout, layer norm) as the model's own layer
 * objects, with the CPU session's numbers: losses, gradients, parameters, buffers and predictions
 * over steps that grow the arena and split a batch into micro-batches, dropout drawing the same
 * masks from the run's position; and a session resumed from another's parameters, buffers and
 * optimizer state continues exactly as the original.
 *
 * <p>Tolerance 2e-4 relative (as {@code LayerOpsOnDeviceTest}'s whole models): the norms' variance
 * and the pools' sums are float reductions in another order on the device, which a batch norm
 * divides by a small standard deviation.
 */
@RequiresOpenCl
class OpenClSessionLayersTest {

    static final double TOL = 2e-4;

    static java.util.stream.Stream<Sequential> models() {
        return LayerOpsOnDeviceTest.models();
    }

    static float[] inputs(SplittableRandom r, Sequential m, int rows) {
        float[] x = new float[rows * m.inputs()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static float[] classes(SplittableRandom r, Sequential m, int rows) {
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) y[i] = r.nextInt(m.outputs());
        return y;
    }

    static float[] buffers(TrainingSession s) {
        float[] b = new float[s.model().bufferCount()];
        s.readBuffers(b);
        return b;
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyBuiltInLayerTrainsOnTheDeviceAsOnTheCpu(Sequential m) {
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.sgd(0.05).momentum(0.9);
        float[] p0 = m.initialParameters(21);
        SplittableRandom data = new SplittableRandom(4);
        try (TrainingSession cpu = TrainingSession.open(new ScalarBackend(), m, loss, opt, p0);
                TrainingSession dev = TrainingSession.open(OpenClBackend.create(), m, loss, opt, p0)) {
            assertInstanceOf(OpenClTrainingSession.class, dev);
            Compare c = new Compare();
            for (int step = 0; step < 4; step++) {
                cpu.position(7, step);
                dev.position(7, step);
                int rows = step == 2 ? 13 : 5; // step 2 grows the arena
                float[] x = inputs(data, m, rows), y = classes(data, m, rows);
                if (step == 1) { // two micro-batches: dropout draws a mask per micro-batch
                    int half = 3, in = m.inputs();
                    float[] x1 = java.util.Arrays.copyOfRange(x, 0, half * in),
                            x2 = java.util.Arrays.copyOfRange(x, half * in, rows * in);
                    c.value(
                            "loss a",
                            dev.accumulate(x1, java.util.Arrays.copyOf(y, half), half, 0.6f),
                            cpu.accumulate(x1, java.util.Arrays.copyOf(y, half), half, 0.6f));
                    float[] y2 = java.util.Arrays.copyOfRange(y, half, rows);
                    c.value("loss b", dev.accumulate(x2, y2, rows - half, 0.4f), cpu.accumulate(x2, y2, 2, 0.4f));
                } else {
                    c.value("loss", dev.accumulate(x, y, rows, 1f), cpu.accumulate(x, y, rows, 1f));
                }
                c.arrays("gradient", OpenClTrainingSessionTest.gradient(dev), OpenClTrainingSessionTest.gradient(cpu));
                c.value("clip norm", dev.clip(Clipping.byNorm(1)), cpu.clip(Clipping.byNorm(1)));
                dev.step(0.05);
                cpu.step(0.05);
                c.arrays("parameters", OpenClTrainingSessionTest.params(dev), OpenClTrainingSessionTest.params(cpu));
                c.arrays("buffers", buffers(dev), buffers(cpu));
            }
            float[] xp = inputs(data, m, 7), od = new float[7 * m.outputs()], oc = new float[7 * m.outputs()];
            dev.predict(xp, 7, od);
            cpu.predict(xp, 7, oc);
            c.arrays("predictions (evaluation: running statistics, no dropout)", od, oc);
            c.check(m.toString(), TOL);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void aSessionResumedFromParametersBuffersAndOptimizerStateContinuesExactly(Sequential m) {
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.adam(0.01);
        OpenClBackend gpu = OpenClBackend.create();
        SplittableRandom data = new SplittableRandom(9);
        float[] x = inputs(data, m, 6), y = classes(data, m, 6);
        try (TrainingSession a = gpu.openSession(m, loss, opt, m.initialParameters(1));
                TrainingSession b = gpu.openSession(m, loss, opt, m.initialParameters(2))) {
            for (int step = 0; step < 2; step++) {
                a.position(3, step);
                a.accumulate(x, y, 6, 1f);
                a.step(0.01);
            }
            b.writeParameters(OpenClTrainingSessionTest.params(a));
            b.writeBuffers(buffers(a));
            b.writeOptimizerState(a.readOptimizerState());
            assertArrayEquals(buffers(a), buffers(b), "buffers round trip");
            for (int step = 2; step < 4; step++) {
                a.position(3, step);
                b.position(3, step);
                assertEquals(a.accumulate(x, y, 6, 1f), b.accumulate(x, y, 6, 1f), "loss at step " + step);
                a.step(0.01);
                b.step(0.01);
            }
            assertArrayEquals(OpenClTrainingSessionTest.params(a), OpenClTrainingSessionTest.params(b));
            assertArrayEquals(buffers(a), buffers(b));
            var e = assertThrows(IllegalArgumentException.class, () -> b.writeBuffers(new float[1]));
            assertEquals(
                    "expected " + m.bufferCount() + " buffer floats for " + m + ", got 1", e.getMessage(), "bad size");
        }
    }
}
