package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseBatch;
import dev.descent.data.SparseBatches;
import dev.descent.data.SparseDataset;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sparse (CSR) training equals training on the densified rows: the breast-cancer LIBSVM file kept
 * sparse, scaled by each column's largest value and thinned (values below 0.35 dropped, about half
 * of them), so rows really are sparse.
 */
public class SparseTrainingTest {

    static List<Backend> backends() {
        return List.of(new ScalarBackend(), new SimdBackend(1));
    }

    /** The thinned, scaled breast-cancer data, sparse. */
    public static SparseDataset data() {
        SparseDataset raw =
                Libsvm.loadSparse(Shared.data().resolve("breast_cancer.libsvm"), Labels.classification(), 0);
        Dataset dense = raw.densify();
        int f = dense.features(), n = dense.rows();
        float[] max = new float[f];
        for (int i = 0; i < dense.x().length; i++) max[i % f] = Math.max(max[i % f], Math.abs(dense.x()[i]));
        float[] x = dense.x().clone();
        for (int i = 0; i < x.length; i++) {
            x[i] /= max[i % f];
            if (x[i] < 0.35f) x[i] = 0;
        }
        SparseDataset sparse = SparseDataset.of(dense.withFeatures(x, "breast_cancer thinned"));
        assertTrue(sparse.nonZeros() < 0.7 * n * f && sparse.nonZeros() > 0.2 * n * f, "" + sparse.nonZeros());
        return sparse;
    }

    public static List<Object[]> cases() {
        Sequential logistic = Models.logisticRegression(30);
        Sequential fused = Models.mlp(30).dense(8, Activation.TANH).dense(1).build();
        Sequential pair = Models.sequential(30)
                .dense(6)
                .activation(Activation.RELU)
                .dense(1)
                .build();
        Optimizer sgd = Optimizers.sgd(0.2).momentum(0.9).weightDecay(1e-3);
        Optimizer adam = Optimizers.adam(0.01);
        return backends().stream()
                .flatMap(b -> List.of(
                        new Object[] {b, logistic, sgd}, new Object[] {b, fused, sgd}, new Object[] {b, pair, adam})
                        .stream())
                .toList();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void trainingEqualsTheDensifiedRun(Backend backend, Sequential model, Optimizer optimizer) {
        SparseDataset sparse = data();
        Dataset dense = sparse.densify();
        TrainingConfig config =
                TrainingConfig.defaults().withBatchSize(32).withEpochs(4).withSeed(11);
        Trainer trainer = new Trainer(backend, model, Loss.bceWithLogits(), optimizer, config);
        TrainingResult d = trainer.fit(dense);
        TrainingResult s = trainer.fit(sparse);
        float[] pd = d.parameters(), ps = s.parameters();
        float[] init = model.initialParameters(11);
        double moved = 0, diff = 0;
        for (int i = 0; i < pd.length; i++) {
            moved = Math.max(moved, Math.abs(pd[i] - init[i]));
            diff = Math.max(diff, Math.abs(pd[i] - ps[i]));
        }
        assertTrue(moved > 0.05, "training moved the parameters by " + moved);
        assertTrue(diff < 1e-4, "sparse and dense parameters differ by " + diff + " (" + backend.name() + ")");
        var hd = d.history().steps();
        var hs = s.history().steps();
        assertEquals(hd.size(), hs.size());
        for (int i = 0; i < hd.size(); i++)
            assertEquals(
                    hd.get(i).loss(), hs.get(i).loss(), 1e-5 * (1 + hd.get(i).loss()));
    }

    /** One batch's gradient, sparse against dense, on every parameter (the weight columns the batch does not touch stay 0). */
    @ParameterizedTest
    @MethodSource("cases")
    void oneBatchGradientEqualsDense(Backend backend, Sequential model, Optimizer optimizer) {
        SparseDataset sparse = data();
        Dataset dense = sparse.densify();
        float[] p = model.initialParameters(3);
        SparseBatches sb = new SparseBatches(sparse, 16, 3);
        Batches db = new Batches(dense, 16, 3);
        SparseBatch s = sb.newBatch();
        var b = db.newBatch();
        sb.next(s);
        db.next(b);
        float[] gs = new float[p.length], gd = new float[p.length];
        try (TrainingSession ss = TrainingSession.open(backend, model, Loss.bceWithLogits(), optimizer, p);
                TrainingSession ds = TrainingSession.open(backend, model, Loss.bceWithLogits(), optimizer, p)) {
            for (int twice = 0; twice < 2; twice++) { // the second adds: accumulation
                double ls = ss.accumulate(s, 0.5f), ld = ds.accumulate(b.x(), b.y(), b.rows(), 0.5f);
                assertEquals(ld, ls, 1e-6 * (1 + ld));
            }
            ss.readGradient(gs);
            ds.readGradient(gd);
            float[] out = new float[16];
            float[] outDense = new float[16];
            ss.predict(s, out);
            ds.predict(b.x(), b.rows(), outDense);
            for (int i = 0; i < 16; i++) assertEquals(outDense[i], out[i], 1e-5);
        }
        double scale = 0;
        for (float g : gd) scale = Math.max(scale, Math.abs(g));
        assertTrue(scale > 1e-3);
        for (int i = 0; i < p.length; i++) assertEquals(gd[i], gs[i], 1e-5 * scale, "gradient " + i);
    }

    /** The sparse batches hold the rows the dense ones do, in the same order, without growing. */
    @ParameterizedTest
    @MethodSource("backends")
    void batchesFollowTheDenseOrder(Backend ignored) {
        SparseDataset sparse = data();
        Dataset dense = sparse.densify();
        SparseBatches sb = new SparseBatches(sparse, 50, 7);
        Batches db = new Batches(dense, 50, 7);
        SparseBatch s = sb.newBatch();
        var b = db.newBatch();
        int capacity = s.nonZeroCapacity();
        for (long epoch = 0; epoch < 3; epoch++) {
            sb.startEpoch(epoch);
            db.startEpoch(epoch);
            while (db.next(b)) {
                assertTrue(sb.next(s));
                float[] row = new float[30 * b.rows()];
                for (int r = 0; r < s.rows(); r++)
                    for (int k = s.rowStart()[r]; k < s.rowStart()[r + 1]; k++)
                        row[r * 30 + s.columns()[k]] = s.values()[k];
                assertEquals(Arrays.toString(Arrays.copyOf(b.x(), 30 * b.rows())), Arrays.toString(row));
                assertEquals(
                        Arrays.toString(Arrays.copyOf(b.y(), b.rows())),
                        Arrays.toString(Arrays.copyOf(s.y(), s.rows())));
            }
            assertTrue(!sb.next(s));
        }
        assertEquals(capacity, s.nonZeroCapacity(), "the batch grew");
    }

    /** A backend that runs its own sessions (as the gpu one does) refuses sparse data, by name. */
    @org.junit.jupiter.api.Test
    void aSessionBackendRefusesSparseInputByName() {
        class DeviceLike extends ScalarBackend implements TrainingSession.SessionFactory {
            @Override
            public String name() {
                return "gpu";
            }

            @Override
            public TrainingSession openSession(Sequential m, Loss l, Optimizer o, float[] p) {
                throw new AssertionError("not reached");
            }
        }
        Trainer t = new Trainer(
                new DeviceLike(),
                Models.logisticRegression(30),
                Loss.bceWithLogits(),
                Optimizers.sgd(0.1),
                TrainingConfig.defaults());
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(data()));
        assertEquals(
                "the gpu backend does not take sparse (CSR) input yet; use the simd or scalar backend for sparse data",
                e.getMessage());
    }

    /**
     * Training metrics come from a pass over dense in-memory rows: a sparse run that monitors one is
     * refused before training starts, naming the metric and what to monitor instead.
     */
    @org.junit.jupiter.api.Test
    void monitoringATrainingMetricOfASparseRunIsRefusedUpFront() {
        Trainer t = new Trainer(
                new ScalarBackend(),
                Models.logisticRegression(30),
                Loss.bceWithLogits(),
                Optimizers.sgd(0.1),
                TrainingConfig.defaults()
                        .withMetrics(dev.descent.metric.Metrics.f1())
                        .withEarlyStopping(EarlyStopping.patience(2).monitoring("f1")));
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(data()));
        assertTrue(e.getMessage().startsWith("cannot monitor the training metric 'f1'"), e.getMessage());
        assertTrue(e.getMessage().contains("monitor 'val_f1' or the loss"), e.getMessage());
    }
}
