package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import dev.descent.data.Dataset;
import dev.descent.data.SparseBatch;
import dev.descent.data.SparseBatches;
import dev.descent.data.SparseDataset;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.schedule.Schedules;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SparseUpdate#LAZY} on the thinned breast-cancer data of {@link SparseTrainingTest} (about
 * half the values zero, so batches leave columns unused) and on the unthinned data (every batch uses
 * every column).
 */
class LazySparseUpdateTest {

    static List<Backend> backends() {
        return List.of(new ScalarBackend(), new SimdBackend(1));
    }

    static final List<Optimizer> RULES = List.of(
            Optimizers.sgd(0.2),
            Optimizers.sgd(0.2).momentum(0.9).weightDecay(1e-3),
            Optimizers.sgd(0.1).momentum(0.9).nesterov(),
            Optimizers.adam(0.01),
            Optimizers.adamW(0.01).amsgrad(),
            Optimizers.adagrad(0.05),
            Optimizers.rmsprop(0.01).momentum(0.5));

    static List<Object[]> cases() {
        Sequential logistic = Models.logisticRegression(30);
        Sequential mlp = Models.mlp(30).dense(6, Activation.TANH).dense(1).build();
        return backends().stream()
                .flatMap(b -> RULES.stream()
                        .flatMap(o -> List.of(new Object[] {b, logistic, o}, new Object[] {b, mlp, o}).stream()))
                .toList();
    }

    /** The breast-cancer data scaled by each column's largest value, not thinned: nearly dense. */
    static SparseDataset full() {
        SparseDataset thin = SparseTrainingTest.data(); // asserts the thinning; the scaled data before it:
        Dataset raw = dev.descent.data.Libsvm.loadSparse(
                        dev.descent.Shared.data().resolve("breast_cancer.libsvm"),
                        dev.descent.data.Labels.classification(),
                        0)
                .densify();
        int f = raw.features();
        float[] max = new float[f];
        for (int i = 0; i < raw.x().length; i++) max[i % f] = Math.max(max[i % f], Math.abs(raw.x()[i]));
        float[] x = raw.x().clone();
        for (int i = 0; i < x.length; i++) x[i] /= max[i % f];
        assertEquals(thin.rows(), raw.rows());
        return SparseDataset.of(raw.withFeatures(x, "breast_cancer scaled"));
    }

    /** When every batch uses every column, the lazy run is the dense run. */
    @ParameterizedTest
    @MethodSource("cases")
    void equalsTheDenseRunWhenEveryColumnIsUsed(Backend backend, Sequential model, Optimizer optimizer) {
        SparseDataset data = full();
        int batch = 64;
        SparseBatches sb = new SparseBatches(data, batch, 5);
        SparseBatch b = sb.newBatch();
        for (long epoch = 0; epoch < 3; epoch++) {
            sb.startEpoch(epoch);
            while (sb.next(b)) assertEquals(30, usedColumns(b).length, "a batch leaves a column unused");
        }
        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(batch).withEpochs(3).withSeed(5);
        Trainer t = new Trainer(backend, model, Loss.bceWithLogits(), optimizer, config);
        float[] dense = t.fit(data, SparseUpdate.DENSE).parameters();
        float[] lazy = t.fit(data, SparseUpdate.LAZY).parameters();
        assertMoved(model, dense, 5);
        for (int i = 0; i < dense.length; i++)
            assertEquals(dense[i], lazy[i], 1e-6 * (1 + Math.abs(dense[i])), optimizer + " parameter " + i);
    }

    /**
     * On sparse batches, every lazy step equals the rule's dense step on the same gradient with the
     * unused columns' weights and state put back: they do not change, the rest updates as usual.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void eachStepIsTheDenseStepWithUnusedColumnsFrozen(Backend backend, Sequential model, Optimizer optimizer) {
        SparseDataset data = SparseTrainingTest.data();
        float[] p = model.initialParameters(9);
        int n = p.length, inputs = 30, outputs = model.parameters().get(0).shape()[0];
        SparseBatches sb = new SparseBatches(data, 8, 9);
        SparseBatch b = sb.newBatch();
        float[] before = new float[n], g = new float[n], got = new float[n];
        int frozenSeen = 0;
        try (TrainingSession s = TrainingSession.open(backend, model, Loss.bceWithLogits(), optimizer, p)) {
            ((CpuTrainingSession) s).useLazySparseUpdate();
            for (int step = 0; step < 40 && sb.next(b); step++) {
                s.readParameters(before);
                OptimizerState stateBefore = s.readOptimizerState();
                s.accumulate(b, 1f);
                s.readGradient(g);
                s.step(0.7 + 0.01 * step);

                float[] expect = before.clone();
                OptimizerState expectState = s.optimizer().newState(n);
                expectState.copyFrom(stateBefore);
                s.optimizer().step(backend, expect, g, expectState, 0.7 + 0.01 * step);
                // an unused column's weights show the step's decay when read (caught up on reading)
                float keep = (float) Math.exp(
                        Math.log1p(-(0.7 + 0.01 * step) * LazySparseUpdate.supportedWeightDecay(s.optimizer())));
                boolean[] used = new boolean[inputs];
                for (int c : usedColumns(b)) used[c] = true;
                for (int c = 0; c < inputs; c++)
                    if (!used[c]) {
                        frozenSeen++;
                        for (int o = 0; o < outputs; o++) {
                            int at = o * inputs + c;
                            expect[at] = before[at] * keep;
                            for (var e : expectState.buffers().entrySet())
                                e.getValue()[at] = stateBefore.buffer(e.getKey())[at];
                        }
                    }
                s.readParameters(got);
                OptimizerState gotState = s.readOptimizerState();
                assertEquals(expectState.step(), gotState.step());
                for (int i = 0; i < n; i++)
                    assertEquals(expect[i], got[i], 1e-6 * (1 + Math.abs(expect[i])), "step " + step + " param " + i);
                for (var e : expectState.buffers().entrySet()) {
                    float[] want = e.getValue(), have = gotState.buffer(e.getKey());
                    for (int i = 0; i < n; i++)
                        assertEquals(want[i], have[i], 1e-6 * (1 + Math.abs(want[i])), e.getKey() + " " + i);
                }
                // the gradient is zero again after the step
                s.readGradient(g);
                for (float v : g) assertEquals(0f, v);
            }
        }
        assertTrue(frozenSeen > 100, "only " + frozenSeen + " unused columns seen");
    }

    /**
     * Plain SGD with weight decay: the catch-up ∏(1 − lr·λ) over missed steps is what the dense
     * update does to an unused column, so the lazy run equals the dense one on sparse data, under a
     * schedule too.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void plainSgdWithWeightDecayEqualsTheDenseRun(Backend backend) {
        SparseDataset data = SparseTrainingTest.data();
        for (Sequential model : List.of(
                Models.logisticRegression(30),
                Models.mlp(30).dense(5, Activation.TANH).dense(1).build())) {
            TrainingConfig config = TrainingConfig.defaults()
                    .withBatchSize(16)
                    .withEpochs(4)
                    .withSeed(3)
                    .withSchedule(Schedules.cosine(120));
            Trainer t = new Trainer(
                    backend, model, Loss.bceWithLogits(), Optimizers.sgd(0.5).weightDecay(0.05), config);
            TrainingResult dense = t.fit(data, SparseUpdate.DENSE), lazy = t.fit(data, SparseUpdate.LAZY);
            float[] d = dense.parameters(), l = lazy.parameters();
            assertMoved(model, d, 3);
            for (int i = 0; i < d.length; i++)
                assertEquals(d[i], l[i], 2e-5 * (1 + Math.abs(d[i])), model + " parameter " + i);
            for (int i = 0; i < dense.history().steps().size(); i++)
                assertEquals(
                        dense.history().steps().get(i).loss(),
                        lazy.history().steps().get(i).loss(),
                        1e-5,
                        "loss of step " + i);
        }
    }

    /**
     * A wide synthetic data set (2,000 columns, 25 a row) whose steps use from dozens to hundreds of
     * columns, so the compact stride grows step after step; with several batches a step the columns
     * are renumbered as each batch adds its own. Lazy plain SGD with decay equals the dense run.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void wideDataAndAccumulatedBatchesEqualTheDenseRun(Backend backend) {
        SparseDataset data = wide(300, 2000, 25, 11);
        for (Sequential model : List.of(
                Models.logisticRegression(2000),
                Models.mlp(2000).dense(3, Activation.TANH).dense(1).build()))
            for (int accumulation : new int[] {1, 3}) {
                TrainingConfig config = TrainingConfig.defaults()
                        .withBatchSize(accumulation == 1 ? 40 : 7)
                        .withAccumulation(accumulation)
                        .withEpochs(3)
                        .withSeed(4);
                Trainer t = new Trainer(
                        backend,
                        model,
                        Loss.bceWithLogits(),
                        Optimizers.sgd(0.8).weightDecay(0.02),
                        config);
                TrainingResult dense = t.fit(data, SparseUpdate.DENSE), lazy = t.fit(data, SparseUpdate.LAZY);
                float[] d = dense.parameters(), l = lazy.parameters();
                assertMoved(model, d, 4);
                String what = model + ", " + accumulation + " batches a step, parameter ";
                for (int i = 0; i < d.length; i++) assertEquals(d[i], l[i], 2e-5 * (1 + Math.abs(d[i])), what + i);
                for (int i = 0; i < dense.history().steps().size(); i++)
                    assertEquals(
                            dense.history().steps().get(i).loss(),
                            lazy.history().steps().get(i).loss(),
                            1e-5,
                            what + "loss of step " + i);
            }
    }

    /** A sparse run's parameters and step losses do not depend on the SIMD backend's thread count. */
    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        SparseDataset data = wide(1200, 50_000, 300, 12); // batches of 512 rows: large enough to split
        for (SparseUpdate update : SparseUpdate.values()) {
            TrainingResult[] runs = new TrainingResult[2];
            for (int threads = 1; threads <= 2; threads++)
                runs[threads - 1] = new Trainer(
                                new SimdBackend(threads),
                                Models.logisticRegression(50_000),
                                Loss.bceWithLogits(),
                                Optimizers.sgd(4).weightDecay(1e-4),
                                TrainingConfig.defaults()
                                        .withBatchSize(512)
                                        .withEpochs(2)
                                        .withSeed(8))
                        .fit(data, update);
            assertTrue(
                    java.util.Arrays.equals(runs[0].parameters(), runs[1].parameters()),
                    update + ": 1 and 2 threads differ");
            for (int i = 0; i < runs[0].history().steps().size(); i++)
                assertEquals(
                        runs[0].history().steps().get(i).loss(),
                        runs[1].history().steps().get(i).loss(),
                        update + " loss of step " + i);
        }
    }

    /**
     * A sparse fit from given parameters (zeros, as the spam example starts): the model's own start
     * gives the same bits as without them, zeros train (lazy plain SGD = dense) and are not modified,
     * and a buffer of the wrong length is refused with both counts.
     */
    @Test
    void fitFromGivenParameters() {
        SparseDataset data = wide(300, 2000, 25, 13);
        Sequential model = Models.logisticRegression(2000);
        Trainer t = new Trainer(
                new SimdBackend(1),
                model,
                Loss.bceWithLogits(),
                Optimizers.sgd(2),
                TrainingConfig.defaults().withBatchSize(32).withEpochs(2).withSeed(5));
        assertTrue(java.util.Arrays.equals(
                t.fit(data, SparseUpdate.LAZY).parameters(),
                t.fit(data, SparseUpdate.LAZY, model.initialParameters(5)).parameters()));
        float[] zeros = new float[model.parameterCount()];
        float[] lazy = t.fit(data, SparseUpdate.LAZY, zeros).parameters();
        float[] dense = t.fit(data, SparseUpdate.DENSE, zeros).parameters();
        for (float z : zeros) assertEquals(0f, z);
        int moved = 0;
        for (int i = 0; i < lazy.length; i++) {
            assertEquals(dense[i], lazy[i], 2e-5 * (1 + Math.abs(dense[i])), "parameter " + i);
            if (lazy[i] != 0) moved++;
        }
        assertTrue(moved > 1000, moved + " of 2001 parameters moved from zero");
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> t.fit(data, SparseUpdate.LAZY, new float[model.parameterCount() - 1]));
        assertTrue(e.getMessage().contains("2001") && e.getMessage().contains("2000"), e.getMessage());
    }

    /** Seeded rows of {@code perRow} distinct columns of {@code features}, labels from a random linear rule. */
    static SparseDataset wide(int rows, int features, int perRow, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] truth = new float[features];
        for (int i = 0; i < features; i++) truth[i] = (float) r.nextGaussian();
        long[] start = new long[rows + 1];
        int[] cols = new int[rows * perRow];
        float[] vals = new float[cols.length], y = new float[rows];
        for (int row = 0, k = 0; row < rows; row++) {
            int[] pick = r.ints(0, features).distinct().limit(perRow).sorted().toArray();
            double z = 0;
            for (int c : pick) {
                cols[k] = c;
                vals[k] = (float) r.nextGaussian() * 0.3f;
                z += vals[k++] * truth[c];
            }
            y[row] = z > 0 ? 1 : 0;
            start[row + 1] = k;
        }
        return new SparseDataset("wide", start, cols, vals, y, features, 1, 2);
    }

    /**
     * By hand: SGD with momentum 0.9, lr 0.1, λ 0.5 on three features, rows that use only feature 0.
     * Feature 2's weight is never used: after 4 steps it is w₀·(1 − 0.05)⁴ and its momentum buffer
     * stays 0 (the dense update would have moved it further through the momentum).
     */
    @Test
    void weightDecayCatchUpByHand() {
        long[] rowStart = {0, 1, 2, 3, 4};
        SparseDataset data = new SparseDataset(
                "feature 0 only",
                rowStart,
                new int[] {0, 0, 0, 0},
                new float[] {1, -2, 0.5f, 1},
                new float[] {1, 0, 1, 1},
                3,
                1,
                2);
        Sequential model = Models.logisticRegression(3);
        Optimizer sgd = Optimizers.sgd(0.1).momentum(0.9).weightDecay(0.5);
        float[] p = model.initialParameters(1);
        try (TrainingSession s = TrainingSession.open(new ScalarBackend(), model, Loss.bceWithLogits(), sgd, p)) {
            ((CpuTrainingSession) s).useLazySparseUpdate();
            SparseBatches sb = new SparseBatches(data, 1, 0, dev.descent.data.Batches.Sampling.SEQUENTIAL, false);
            SparseBatch b = sb.newBatch();
            for (int step = 0; step < 4; step++) {
                sb.next(b);
                s.accumulate(b, 1f);
                s.step(0.1);
            }
            float[] got = new float[4];
            s.readParameters(got);
            assertEquals(p[2] * Math.pow(0.95, 4), got[2], 1e-7);
            assertEquals(p[1] * Math.pow(0.95, 4), got[1], 1e-7);
            assertEquals(0f, s.readOptimizerState().buffer("momentum_buffer")[2]);
            assertTrue(Math.abs(got[0] - p[0]) > 0.05, "the used weight moved: " + got[0] + " from " + p[0]);
        }
        // the dense run moves the unused weight differently: the decay runs through the momentum
        var denseRun = new Trainer(
                        new ScalarBackend(),
                        model,
                        Loss.bceWithLogits(),
                        sgd,
                        TrainingConfig.defaults()
                                .withBatchSize(1)
                                .withEpochs(1)
                                .withSeed(1)
                                .withSampling(dev.descent.data.Batches.Sampling.SEQUENTIAL, false))
                .fit(data, SparseUpdate.DENSE)
                .parameters();
        assertTrue(Math.abs(denseRun[2] - p[2] * Math.pow(0.95, 4)) > 1e-4 * Math.abs(p[2]));
    }

    /**
     * After warm-up (each compact capacity met once), lazy steps allocate nothing beyond what the
     * same session's dense steps allocate (the batch order, the backend's own work).
     */
    @Test
    void lazyStepsAllocateNothingMoreThanDenseOnes() {
        for (Optimizer o : List.of(Optimizers.sgd(0.1).momentum(0.9).weightDecay(0.01), Optimizers.adam(0.01))) {
            long lazy = allocatedOverThreeEpochs(o, true), dense = allocatedOverThreeEpochs(o, false);
            assertTrue(lazy <= dense + 4096, o + ": lazy steps allocated " + lazy + " bytes, dense ones " + dense);
        }
    }

    private static long allocatedOverThreeEpochs(Optimizer o, boolean lazy) {
        SparseDataset data = SparseTrainingTest.data();
        Sequential model = Models.mlp(30).dense(4, Activation.TANH).dense(1).build();
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (TrainingSession s =
                TrainingSession.open(new ScalarBackend(), model, Loss.bceWithLogits(), o, model.initialParameters(1))) {
            if (lazy) ((CpuTrainingSession) s).useLazySparseUpdate();
            SparseBatches sb = new SparseBatches(data, 16, 1);
            SparseBatch b = sb.newBatch();
            long before = 0;
            for (int epoch = 0; epoch < 6; epoch++) {
                if (epoch == 3) before = mx.getCurrentThreadAllocatedBytes();
                sb.startEpoch(epoch);
                while (sb.next(b)) {
                    s.accumulate(b, 1f);
                    s.clip(Clipping.NONE);
                    s.step(0.05);
                }
            }
            return mx.getCurrentThreadAllocatedBytes() - before;
        }
    }

    /** A rule whose update of a coordinate reads other coordinates (or running scalars) is refused by name. */
    @Test
    void refusesRulesItCannotRunLazily() {
        SparseDataset data = SparseTrainingTest.data();
        Sequential model = Models.logisticRegression(30);
        for (Optimizer o : List.of(
                Optimizers.lars(0.1),
                Optimizers.lamb(0.01),
                Optimizers.nadam(0.01),
                Optimizers.asgd(0.01),
                Optimizers.sgd(0.1)
                        .groups(ParamGroup.of("biases", ParamGroup.Selector.names("*.bias"))
                                .weightDecay(0.1)))) {
            Trainer t = new Trainer(new ScalarBackend(), model, Loss.bceWithLogits(), o, TrainingConfig.defaults());
            var e = assertThrows(IllegalArgumentException.class, () -> t.fit(data, SparseUpdate.LAZY));
            assertTrue(
                    e.getMessage().startsWith("the lazy sparse update (SparseUpdate.LAZY) does not support "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("use SparseUpdate.DENSE"), e.getMessage());
        }
        Trainer t = new Trainer(
                new ScalarBackend(),
                model,
                Loss.bceWithLogits(),
                Optimizers.sgd(10).weightDecay(0.2),
                TrainingConfig.defaults());
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(data, SparseUpdate.LAZY));
        assertEquals(
                "the lazy sparse update's weight decay catch-up needs lr × weight_decay < 1, got lr 10.0 × 0.2",
                e.getMessage());
    }

    private static int[] usedColumns(SparseBatch b) {
        return java.util.Arrays.stream(b.columns(), 0, b.nonZeros()).distinct().toArray();
    }

    private static void assertMoved(Sequential model, float[] p, long seed) {
        float[] init = model.initialParameters(seed);
        double moved = 0;
        for (int i = 0; i < p.length; i++) moved = Math.max(moved, Math.abs(p[i] - init[i]));
        assertTrue(moved > 0.05, "training moved the parameters by only " + moved);
    }
}
