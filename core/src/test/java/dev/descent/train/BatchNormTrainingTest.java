package dev.descent.train;

import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static dev.descent.train.TrainerTest.SIMD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.checkpoint.SafeTensors.Tensor;
import dev.descent.model.BatchNorm;
import dev.descent.model.Sequential;
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Anneal;
import dev.descent.schedule.Schedules;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with batch norm in the training loop: its buffers (running statistics) are trained,
 * evaluated with, saved under PyTorch's names and resumed bit for bit; the optimizer never sees them;
 * SWA recomputes them for the averaged weights (update_bn); a checkpoint with a non-finite value is
 * refused naming the tensor, the layer and the file.
 */
class BatchNormTrainingTest {

    static final Sequential MODEL = Sequential.input(64)
            .dense(32)
            .add(new BatchNorm(32))
            .activation(Activation.RELU)
            .dense(10)
            .build();

    static final Optimizer SGD = Optimizers.sgd(0.05).momentum(0.9).weightDecay(1e-3);

    static TrainingConfig config(int epochs) {
        return CheckpointResumeTest.config(epochs);
    }

    @Test
    void trainsTheRunningStatisticsAndEvaluatesWithThem() {
        TrainingResult r = new Trainer(SIMD, MODEL, LOSS, SGD, config(2)).fit(DIGITS.train(), DIGITS.test());
        float[] b = r.buffers();
        assertEquals(65, b.length);
        int steps = r.history().steps().size();
        // two micro-batches per step (accumulation 2): one running-statistics update each
        assertEquals(2f * steps, b[64], "num_batches_tracked");
        assertFalse(Arrays.equals(MODEL.initialBuffers(), b), "the running statistics moved");
        // the result evaluates with them: the evaluation equals a forward pass over the trained buffers
        float[] out = new float[DIGITS.test().rows() * 10];
        r.predict(DIGITS.test().x(), DIGITS.test().rows(), out);
        float[] direct = MODEL.forward(
                SIMD,
                r.parameters(),
                b.clone(),
                DIGITS.test().x(),
                DIGITS.test().rows(),
                MODEL.workspace(DIGITS.test().rows()));
        assertArrayEquals(Arrays.copyOf(direct, out.length), out);
        assertTrue(r.evaluate(DIGITS.test()).accuracy() > 0.85, "accuracy " + r.evaluate(DIGITS.test()));
    }

    @Test
    void theOptimizerClippingAndWeightDecayNeverTouchTheBuffers() {
        // lr 0: the parameters stay where they start, the buffers still track the batches
        TrainingResult r = new Trainer(
                        SIMD, MODEL, LOSS, Optimizers.sgd(0).momentum(0.9).weightDecay(0.1), config(1))
                .fit(DIGITS.train());
        assertArrayEquals(MODEL.initialParameters(config(1).seed()), r.parameters());
        assertTrue(r.buffers()[64] > 0);
        assertEquals(MODEL.parameterCount(), r.parameters().length, "buffers live in their own array");
    }

    @Test
    void resumingIsBitIdenticalForParametersAndBuffers(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run");
        TrainingResult whole = new Trainer(SIMD, MODEL, LOSS, SGD, config(4)).fit(DIGITS.train(), DIGITS.test());
        new Trainer(SIMD, MODEL, LOSS, SGD, config(2).withCheckpoints(ckpt, 1)).fit(DIGITS.train(), DIGITS.test());
        Checkpoint c = Checkpoint.read(ckpt);
        c.requireShape("layers.1.running_mean", 32);
        c.requireShape("layers.1.running_var", 32);
        c.requireShape("layers.1.num_batches_tracked");
        c.requireShape("layers.1.weight", 32);
        TrainingResult resumed =
                new Trainer(SIMD, MODEL, LOSS, SGD, config(4)).resume(ckpt, DIGITS.train(), DIGITS.test());
        assertArrayEquals(whole.parameters(), resumed.parameters(), "parameters after resuming");
        assertArrayEquals(whole.buffers(), resumed.buffers(), "buffers after resuming");
        for (int e = 0; e < 4; e++)
            assertEquals(
                    whole.history().epochs().get(e).valLoss(),
                    resumed.history().epochs().get(e).valLoss(),
                    0,
                    "validation loss of epoch " + (e + 1));
    }

    @Test
    void swaRecomputesTheStatisticsForTheAveragedWeights() {
        int batch = 40;
        TrainingConfig cfg = config(3)
                .withEarlyStopping(null)
                .withPlateau(null)
                .withAccumulation(1)
                .withSchedule(
                        Schedules.join(new long[] {40}, Schedules.constant(1), Schedules.swalr(0.5, 10, Anneal.COS)))
                .withAveraging(Averaging.swa(40));
        TrainingResult r = new Trainer(SIMD, MODEL, LOSS, SGD, cfg).fit(DIGITS.train(), DIGITS.test());
        // the direct computation: the averaged weights' batch norm inputs over the training rows in
        // batches of 40 (the last row joins the last batch), the mean of the batch means and of the
        // unbiased batch variances
        Sequential hidden = Sequential.input(64).dense(32).build();
        float[] hp = Arrays.copyOf(r.parameters(), hidden.parameterCount());
        float[] x = DIGITS.train().x();
        int rows = DIGITS.train().rows();
        List<int[]> batches = new ArrayList<>();
        for (int s = 0; s < rows; ) {
            int n = Math.min(batch, rows - s);
            if (rows - s - n == 1) n++;
            batches.add(new int[] {s, n});
            s += n;
        }
        double[] mean = new double[32], var = new double[32];
        for (int[] bt : batches) {
            float[] h = hidden.forward(
                    SIMD, hp, Arrays.copyOfRange(x, bt[0] * 64, (bt[0] + bt[1]) * 64), bt[1], hidden.workspace(bt[1]));
            for (int c = 0; c < 32; c++) {
                double m = 0, sq = 0;
                for (int i = 0; i < bt[1]; i++) m += h[i * 32 + c];
                m /= bt[1];
                for (int i = 0; i < bt[1]; i++) sq += (h[i * 32 + c] - m) * (h[i * 32 + c] - m);
                mean[c] += m / batches.size();
                var[c] += sq / (bt[1] - 1) / batches.size();
            }
        }
        float[] b = r.buffers();
        for (int c = 0; c < 32; c++) {
            assertEquals(mean[c], b[c], 1e-5 * (1 + Math.abs(mean[c])), "running_mean[" + c + "]");
            assertEquals(var[c], b[32 + c], 1e-5 * (1 + Math.abs(var[c])), "running_var[" + c + "]");
        }
        assertEquals(batches.size(), b[64], "num_batches_tracked counts update_bn's batches");
        // and the result evaluates with them
        float[] out = new float[DIGITS.test().rows() * 10];
        r.predict(DIGITS.test().x(), DIGITS.test().rows(), out);
        float[] direct = MODEL.forward(
                SIMD,
                r.parameters(),
                b.clone(),
                DIGITS.test().x(),
                DIGITS.test().rows(),
                MODEL.workspace(DIGITS.test().rows()));
        assertArrayEquals(Arrays.copyOf(direct, out.length), out);
        assertEquals(
                r.evaluate(DIGITS.test()).loss(),
                r.history().lastEpoch().valLoss(),
                1e-9,
                "the last epoch's validation measured the averaged model with its recomputed statistics");
    }

    /** Rewrites checkpoint {@code ckpt} (valid checksums) as {@code good} with one value of {@code tensor} replaced. */
    static void damage(Path ckpt, Checkpoint good, String tensor, int element, float value) throws Exception {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : good.tensors().values()) {
            float[] d = t.data().clone();
            if (t.name().equals(tensor)) d[element] = value;
            out.add(new Tensor(t.name(), t.shape(), d));
        }
        Checkpoint.write(ckpt, out, good.state());
    }

    @Test
    void aNonFiniteValueInAnyTensorOfTheCheckpointIsRefusedNamingTensorLayerAndFile(@TempDir Path dir)
            throws Exception {
        Path ckpt = dir.resolve("run");
        new Trainer(SIMD, MODEL, LOSS, SGD, config(1).withCheckpoints(ckpt, 1)).fit(DIGITS.train());
        Path file = ckpt.resolve(Checkpoint.MODEL_FILE);
        Checkpoint good = Checkpoint.read(ckpt);
        Object[][] cases = {
            {
                "layers.1.running_var",
                3,
                Float.NaN,
                "tensor 'layers.1.running_var' of layer layers.1 (batch_norm)"
                        + " holds NaN at element 3; nothing was loaded"
            },
            {
                "layers.0.weight",
                70,
                Float.POSITIVE_INFINITY,
                "tensor 'layers.0.weight' of layer layers.0 (dense)"
                        + " holds Infinity at element 70; nothing was loaded"
            },
            {
                "optimizer.momentum_buffer",
                2081,
                Float.NaN,
                "tensor 'optimizer.momentum_buffer' holds NaN at element 2081" + " (layers.1.weight[1], layer layers.1)"
            },
        };
        for (Object[] k : cases) {
            damage(ckpt, good, (String) k[0], (int) k[1], (float) k[2]);
            byte[] before = Files.readAllBytes(file);
            var e = assertThrows(UncheckedIOException.class, () -> new Trainer(SIMD, MODEL, LOSS, SGD, config(3))
                    .resume(ckpt, DIGITS.train(), null));
            var cause = assertInstanceOf(CheckpointException.class, e.getCause());
            assertTrue(cause.getMessage().contains((String) k[3]), cause.getMessage());
            assertEquals(
                    file.toAbsolutePath().normalize(),
                    cause.file().toAbsolutePath().normalize());
            assertTrue(cause.getMessage().contains(Checkpoint.MODEL_FILE), cause.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file), "the refused checkpoint is left as it was");
        }
    }
}
