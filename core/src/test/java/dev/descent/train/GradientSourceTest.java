package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Batches;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import org.junit.jupiter.api.Test;

/**
 * A {@link GradientSource} that computes each batch elsewhere gives the run of {@link
 * Trainer#fit(Dataset, Dataset)}, with one batch per step and with accumulated micro-batches.
 */
class GradientSourceTest {

    /** Holds the rows itself and computes batch gradients in a second session, as a cluster would. */
    static final class Elsewhere implements GradientSource {
        final Dataset data;
        final Batches orders;
        final TrainingSession worker;
        final float[] params, grad;
        int[] order;

        Elsewhere(Backend b, Sequential model, Loss loss, Dataset data, TrainingConfig c) {
            this.data = data;
            this.orders = Batches.orderOnly(data.rows(), c.batchSize(), c.seed(), c.sampling(), c.dropLast());
            this.worker = TrainingSession.open(b, model, loss, Optimizers.sgd(0), model.initialParameters(0));
            this.params = new float[model.parameterCount()];
            this.grad = new float[model.parameterCount()];
        }

        @Override
        public int rows() {
            return data.rows();
        }

        @Override
        public String name() {
            return data.name();
        }

        @Override
        public void startEpoch(long epoch) {
            order = orders.order(epoch);
        }

        @Override
        public double accumulate(TrainingSession session, int start, int rows, float weight) {
            int f = data.features();
            float[] x = new float[rows * f], y = new float[rows];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(data.x(), order[start + i] * f, x, i * f, f);
                y[i] = data.y()[order[start + i]];
            }
            session.readParameters(params);
            worker.writeParameters(params);
            double v = worker.accumulate(x, y, rows, weight);
            worker.readGradient(grad);
            worker.step(0); // lr 0: zeroes the worker's gradient, parameters unchanged
            session.addGradient(grad);
            return v;
        }
    }

    @Test
    void aSourceComputingTheSameBatchesGivesTheSameRun() {
        Split s = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Standardizer std = Standardizer.fit(s.train());
        Dataset train = std.apply(s.train()), test = std.apply(s.test());
        Sequential model = Models.mlp(64).dense(16, Activation.TANH).dense(10).build();
        Loss loss = Loss.softmaxCrossEntropy();
        Backend b = Backends.byName("simd");
        for (int accumulation = 1; accumulation <= 2; accumulation++) check(b, model, loss, train, test, accumulation);
    }

    private static void check(Backend b, Sequential model, Loss loss, Dataset train, Dataset test, int accumulation) {
        TrainingConfig c = TrainingConfig.defaults()
                .withBatchSize(100)
                .withEpochs(2)
                .withSeed(5)
                .withAccumulation(accumulation)
                .withSchedule(Schedules.cosine(30))
                .withClipping(Clipping.byNorm(1));
        Trainer trainer = new Trainer(b, model, loss, Optimizers.sgd(0.1).momentum(0.9), c);
        TrainingResult local = trainer.fit(train, test);
        TrainingResult viaSource =
                trainer.fit(new Elsewhere(b, model, loss, train, c), test, model.initialParameters(c.seed()));
        // to float rounding (a last-bit difference appears; the Spark module's one-partition run is bit-identical)
        for (int i = 0; i < local.parameters().length; i++)
            assertEquals(local.parameters()[i], viaSource.parameters()[i], 1e-5, "parameter " + i);
        assertEquals(
                local.history().epochs().size(), viaSource.history().epochs().size());
        for (int i = 0; i < local.history().epochs().size(); i++)
            assertEquals(
                    local.history().epochs().get(i).valLoss(),
                    viaSource.history().epochs().get(i).valLoss(),
                    1e-5,
                    "validation loss of epoch " + (i + 1));
    }
}
