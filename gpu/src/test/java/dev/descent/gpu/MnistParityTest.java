package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.data.Split;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.Clipping;
import dev.descent.train.TrainingSession;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A few epochs of MLP training on real data (MNIST-10k, a 2000-row training subset) give the same
 * loss curve on {@code gpu} (the device-resident session on the OpenCL device) as on {@code simd}.
 *
 * <p>Stated tolerance: per-epoch mean training loss within {@code 1e-4} relative, test accuracy
 * within 0.5 percentage points (10 of 2000 test images). The two backends start from the same
 * parameters and see the same batches; they differ only in float rounding (summation order and fma
 * in the matrix products, float vs double inside the loss), which SGD with momentum carries along
 * but does not blow up over 3 epochs (measured on PoCL: 7e-8 relative on the epoch losses, equal
 * accuracies).
 */
@RequiresOpenCl
class MnistParityTest {

    static final double LOSS_TOL = 1e-4;
    static final double ACCURACY_TOL = 0.005;
    static final int EPOCHS = 3;
    static final int BATCH = 64;
    static final long SEED = 42;

    record Run(double[] epochLoss, double accuracy, long launches, String device) {}

    @Test
    void gpuGivesTheSameLossCurveAsSimd() {
        Split mnist = Idx.mnist(Shared.data().resolve("mnist10k"));
        Dataset train = mnist.train().select(IntStream.range(0, 2000).toArray(), "mnist-2000");
        Dataset test = mnist.test().select(IntStream.range(0, 2000).toArray(), "mnist-test-2000");
        Sequential model =
                Sequential.input(784).dense(64, Activation.RELU).dense(10).build();
        Optimizer opt = Optimizers.sgd(0.05).momentum(0.9);

        long t0 = System.nanoTime();
        Run simd = train(Backends.byName("simd"), model, opt, train, test);
        long t1 = System.nanoTime();
        Run gpu = train(Backends.byName("gpu"), model, opt, train, test);
        long t2 = System.nanoTime();

        System.out.printf(
                "MNIST-2000 784-64-10, %d epochs: simd %.2f s, gpu %.2f s on %s%n",
                EPOCHS, (t1 - t0) / 1e9, (t2 - t1) / 1e9, gpu.device);
        double worst = 0;
        for (int e = 0; e < EPOCHS; e++) {
            double rel = Math.abs(gpu.epochLoss[e] - simd.epochLoss[e]) / Math.abs(simd.epochLoss[e]);
            worst = Math.max(worst, rel);
            System.out.printf(
                    "  epoch %d: mean loss simd %.6f gpu %.6f (rel diff %.2e)%n",
                    e, simd.epochLoss[e], gpu.epochLoss[e], rel);
            assertTrue(rel <= LOSS_TOL, "epoch " + e + ": gpu " + gpu.epochLoss[e] + " vs simd " + simd.epochLoss[e]);
        }
        System.out.printf(
                "  test accuracy simd %.4f gpu %.4f; worst epoch-loss rel diff %.2e%n",
                simd.accuracy, gpu.accuracy, worst);
        // it learned something, on both
        assertTrue(simd.epochLoss[EPOCHS - 1] < 0.5 * simd.epochLoss[0], "loss did not fall");
        assertTrue(simd.accuracy > 0.85, "simd accuracy " + simd.accuracy);
        assertEquals(simd.accuracy, gpu.accuracy, ACCURACY_TOL);

        // the kernels ran on the OpenCL device: every launch of the gpu session was verified there
        // (canary untouched, Aparapi's target device the OpenCL device), and there were as many as
        // the steps need: 6 forward + 1 loss + 7 backward + 1 update + 2 residency probes per step
        int steps = EPOCHS * ((train.rows() + BATCH - 1) / BATCH);
        assertEquals(OpenClDevices.chosen().orElseThrow().describe(), gpu.device);
        assertTrue(gpu.launches >= (long) steps * (6 + 1 + 7 + 1 + 2), "launches " + gpu.launches);
        assertEquals(0, simd.launches);
    }

    static Run train(Backend backend, Sequential model, Optimizer opt, Dataset train, Dataset test) {
        Batches batches = new Batches(train, BATCH, SEED);
        Batch batch = batches.newBatch();
        double[] epochLoss = new double[EPOCHS];
        try (TrainingSession s =
                TrainingSession.open(backend, model, Loss.softmaxCrossEntropy(), opt, model.initialParameters(SEED))) {
            for (int e = 0; e < EPOCHS; e++) {
                batches.startEpoch(e);
                double sum = 0;
                int n = 0;
                while (batches.next(batch)) {
                    sum += s.accumulate(batch.x(), batch.y(), batch.rows(), 1f);
                    s.clip(Clipping.byNorm(5.0));
                    s.step(opt.lr());
                    n++;
                }
                epochLoss[e] = sum / n;
            }
            float[] out = new float[test.rows() * 10];
            s.predict(test.x(), test.rows(), out);
            int correct = 0;
            for (int r = 0; r < test.rows(); r++) {
                int best = 0;
                for (int j = 1; j < 10; j++) if (out[r * 10 + j] > out[r * 10 + best]) best = j;
                if (best == test.label(r)) correct++;
            }
            long launches = 0;
            String device = backend.device();
            if (s instanceof OpenClTrainingSession g) {
                launches = g.verifiedLaunches();
                device = g.deviceInfo().describe();
            } else {
                assertInstanceOf(dev.descent.backend.SimdBackend.class, backend);
            }
            return new Run(epochLoss, (double) correct / test.rows(), launches, device);
        }
    }
}
