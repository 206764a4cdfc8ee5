package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link RoundSource} whose single worker holds every row runs, round after round, exactly the
 * steps {@link Trainer#fit(Dataset, Dataset)} runs: bit-identical for any round length; its
 * checkpoints resume bit-identically; a round with a non-finite loss is undone by the guard.
 */
class RoundSourceTest {

    /** One worker holding all rows: local SGD with one partition. */
    static final class OneWorker implements RoundSource {
        final Dataset data;
        final Batches orders;
        final TrainingSession worker;
        final int h, batchSize;
        final float[] params, x, y;
        final long seed;
        /** A step whose loss the worker reports as NaN (-1: none). */
        long poisonStep = -1;

        int[] order;

        OneWorker(Backend b, Sequential model, Loss loss, Optimizer opt, Dataset data, TrainingConfig c, int h) {
            this.data = data;
            this.orders = Batches.orderOnly(data.rows(), c.batchSize(), c.seed(), c.sampling(), c.dropLast());
            this.worker = TrainingSession.open(b, model, loss, opt, model.initialParameters(0));
            this.h = h;
            this.batchSize = c.batchSize();
            this.seed = c.seed();
            this.params = new float[model.parameterCount()];
            this.x = new float[batchSize * data.features()];
            this.y = new float[batchSize];
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
        public int stepsPerRound() {
            return h;
        }

        @Override
        public void runRound(
                TrainingSession session,
                long firstStep,
                int firstBatch,
                int steps,
                double[] lrs,
                double[] losses,
                double[] norms) {
            session.readParameters(params);
            worker.writeParameters(params);
            worker.writeOptimizerState(session.readOptimizerState());
            int f = data.features();
            for (int i = 0; i < steps; i++) {
                int start = (firstBatch + i) * batchSize, rows = Math.min(batchSize, data.rows() - start);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(data.x(), order[start + r] * f, x, r * f, f);
                    y[r] = data.y()[order[start + r]];
                }
                worker.position(seed, firstStep + i);
                losses[i] = firstStep + i == poisonStep ? Double.NaN : worker.accumulate(x, y, rows, 1f);
                norms[i] = worker.clip(Clipping.byNorm(1));
                worker.step(lrs[i]);
            }
            worker.readParameters(params);
            session.writeParameters(params);
            session.writeOptimizerState(worker.readOptimizerState());
        }
    }

    static final Sequential MODEL =
            Models.mlp(64).dense(16, Activation.TANH).dense(10).build();

    static Split digits() {
        Split s = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Standardizer std = Standardizer.fit(s.train());
        return new Split(std.apply(s.train()), std.apply(s.test()));
    }

    static TrainingConfig config(int epochs) {
        return TrainingConfig.defaults()
                .withBatchSize(100)
                .withEpochs(epochs)
                .withSeed(5)
                .withSchedule(Schedules.warmup(3).then(Schedules.cosine(30)))
                .withClipping(Clipping.byNorm(1));
    }

    @Test
    void roundsOfOneWorkerAreTheTrainersStepsBitForBit() {
        Split d = digits();
        Backend b = Backends.byName("simd");
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.sgd(0.1).momentum(0.9).nesterov();
        Trainer trainer = new Trainer(b, MODEL, loss, opt, config(2));
        TrainingResult plain = trainer.fit(d.train(), d.test());
        for (int h : new int[] {1, 4, 15}) { // 15 > 14 batches per epoch: one round per epoch
            var source = new OneWorker(b, MODEL, loss, opt, d.train(), config(2), h);
            TrainingResult rounds = trainer.fit(source, d.test(), MODEL.initialParameters(5));
            assertArrayEquals(plain.parameters(), rounds.parameters(), "H = " + h);
            assertEquals(
                    plain.history().steps().size(), rounds.history().steps().size(), "H = " + h);
            for (int i = 0; i < plain.history().steps().size(); i++) {
                History.Step p = plain.history().steps().get(i),
                        r = rounds.history().steps().get(i);
                // the trainer's step loss of a short last batch is v·rows/rows in double: the last bit may move
                assertEquals(p.loss(), r.loss(), 1e-15 * p.loss(), "H = " + h + ", loss of step " + i);
                assertEquals(p.lr(), r.lr(), 0, "H = " + h + ", lr of step " + i);
                assertEquals(p.gradNorm(), r.gradNorm(), 0, "H = " + h + ", gradient norm of step " + i);
            }
            assertEquals(
                    plain.history().lastEpoch().valLoss(),
                    rounds.history().lastEpoch().valLoss(),
                    0);
        }
    }

    @Test
    void aRoundSourcesCheckpointResumesBitForBit(@TempDir Path dir) {
        Split d = digits();
        Backend b = Backends.byName("simd");
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.adam(0.003);
        TrainingResult straight = new Trainer(b, MODEL, loss, opt, config(3))
                .fit(new OneWorker(b, MODEL, loss, opt, d.train(), config(3), 4), d.test(), MODEL.initialParameters(5));
        new Trainer(b, MODEL, loss, opt, config(2).withCheckpoints(dir, 1))
                .fit(new OneWorker(b, MODEL, loss, opt, d.train(), config(2), 4), d.test(), MODEL.initialParameters(5));
        TrainingResult resumed = new Trainer(b, MODEL, loss, opt, config(3))
                .resume(dir, new OneWorker(b, MODEL, loss, opt, d.train(), config(3), 4), d.test());
        assertArrayEquals(straight.parameters(), resumed.parameters());
        assertEquals(
                straight.history().steps().size(), resumed.history().steps().size());
    }

    @Test
    void aRoundWithANonFiniteLossIsUndoneByTheGuard() {
        Split d = digits();
        Backend b = Backends.byName("simd");
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.sgd(0.1);
        var source = new OneWorker(b, MODEL, loss, opt, d.train(), config(2), 4);
        source.poisonStep = 6; // the second round: steps 4..7
        Trainer trainer = new Trainer(b, MODEL, loss, opt, config(2));
        var e = assertThrows(
                TrainingDivergedException.class, () -> trainer.fit(source, null, MODEL.initialParameters(5)));
        assertEquals(6, e.step());
        assertTrue(e.getMessage().contains("the loss is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("where the round of local steps started"), e.getMessage());
        // the partial result holds the parameters after the first round: those of a run stopped after step 3
        Callback stopAfter3 = new Callback() {
            @Override
            public void onStepEnd(History.Step step) {
                if (step.step() == 3) throw new StopTraining("after the first round");
            }
        };
        TrainingResult fourSteps =
                new Trainer(b, MODEL, loss, opt, config(2).withCallbacks(stopAfter3)).fit(d.train(), null);
        assertArrayEquals(fourSteps.parameters(), e.partial().parameters(), "the second round is undone");
        assertEquals(4 + 2, e.partial().history().steps().size(), "steps 0..5 recorded before the NaN");
    }
}
