package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.SimdBackend;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.SparseBatch;
import dev.descent.data.SparseBatches;
import dev.descent.data.SparseDataset;
import dev.descent.data.SparseStream;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.SparseTrainingTest;
import dev.descent.train.SparseUpdate;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import dev.descent.train.TrainingSession;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sparse (CSR) training on the gpu backend (the device-resident session: {@code sparseLinear} and
 * {@code sparseWeightGradient} kernels) against the same run on {@code simd}: the breast-cancer
 * LIBSVM data thinned as {@link SparseTrainingTest} does, logistic regression and small MLPs, SGD
 * with momentum and weight decay and Adam; the digits as sparse rows for a 10-output first layer;
 * rows streamed from a LIBSVM file.
 */
@RequiresOpenCl
class SparseOnGpuTest {

    static final SparseDataset THINNED = SparseTrainingTest.data();

    static TrainingConfig config() {
        return TrainingConfig.defaults().withBatchSize(32).withEpochs(4).withSeed(11);
    }

    /**
     * {@link SparseTrainingTest}'s cases on simd: logistic regression and an MLP (dense + tanh) with
     * SGD (momentum 0.9, weight decay 1e-3), a dense + ReLU pair with Adam.
     */
    static List<Object[]> cases() {
        return SparseTrainingTest.cases().stream()
                .filter(c -> c[0] instanceof SimdBackend)
                .toList();
    }

    /** Parameters within 1e-4 and every step's loss within 1e-5 of the simd run; training moved them. */
    static void assertSameRun(String what, Sequential model, TrainingResult simd, TrainingResult gpu) {
        float[] ps = simd.parameters(), pg = gpu.parameters();
        float[] init = model.initialParameters(11);
        double moved = 0, diff = 0;
        for (int i = 0; i < ps.length; i++) {
            moved = Math.max(moved, Math.abs(ps[i] - init[i]));
            diff = Math.max(diff, Math.abs(ps[i] - pg[i]));
        }
        assertTrue(moved > 0.05, what + ": training moved the parameters by " + moved);
        assertTrue(diff < 1e-4, what + ": gpu and simd parameters differ by " + diff);
        var hs = simd.history().steps();
        var hg = gpu.history().steps();
        assertEquals(hs.size(), hg.size(), what + ": steps");
        for (int i = 0; i < hs.size(); i++)
            assertEquals(
                    hs.get(i).loss(), hg.get(i).loss(), 1e-5 * (1 + hs.get(i).loss()), what + ": step " + i);
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("cases")
    void aSparseRunOnGpuEqualsTheSimdRun(Backend simdBackend, Sequential model, Optimizer optimizer) {
        Loss loss = Loss.bceWithLogits();
        String what = model + " " + optimizer;
        TrainingResult simd = new Trainer(simdBackend, model, loss, optimizer, config()).fit(THINNED);
        TrainingResult gpu = new Trainer(OpenClBackend.create(), model, loss, optimizer, config()).fit(THINNED);
        assertSameRun(what, model, simd, gpu);
    }

    /**
     * A mirrored session (the state downloaded after every call, as under a collector that moves the
     * arena; forced here) stages the CSR batch the same way and gives the same run.
     */
    @Test
    void aMirroredSessionTrainsSparseDataToo() {
        Sequential model = Models.mlp(30).dense(8, Activation.TANH).dense(1).build();
        Optimizer sgd = Optimizers.sgd(0.2).momentum(0.9).weightDecay(1e-3);
        Loss loss = Loss.bceWithLogits();
        TrainingResult simd = new Trainer(new SimdBackend(1), model, loss, sgd, config()).fit(THINNED);
        System.setProperty(ArenaPolicy.MIRROR_PROPERTY, "true");
        TrainingResult gpu;
        try (TrainingSession s =
                TrainingSession.open(OpenClBackend.create(), model, loss, sgd, model.initialParameters(11))) {
            assertTrue(((OpenClTrainingSession) s).mirrored());
            gpu = new Trainer(OpenClBackend.create(), model, loss, sgd, config()).fit(THINNED);
        } finally {
            System.clearProperty(ArenaPolicy.MIRROR_PROPERTY);
        }
        assertSameRun("mirrored", model, simd, gpu);
    }

    /**
     * Softmax regression over the digits' 64 pixels kept sparse (about half are 0): a first layer of
     * 10 outputs, so the weight gradient's scatter runs 10 work-items, each adding many rows into
     * shared columns.
     */
    @Test
    void softmaxRegressionOnSparseDigitsEqualsTheSimdRun() {
        Dataset digits = Csv.load(Shared.data().resolve("digits.csv"));
        float[] x = digits.x().clone();
        for (int i = 0; i < x.length; i++) x[i] /= 16f;
        SparseDataset sparse = SparseDataset.of(digits.withFeatures(x, "digits / 16"));
        assertTrue(sparse.nonZeros() < 0.6 * sparse.rows() * 64, "" + sparse.nonZeros());
        Sequential model = Models.softmaxRegression(64, 10);
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer sgd = Optimizers.sgd(0.1).momentum(0.9).weightDecay(1e-4);
        TrainingConfig c = config().withEpochs(2).withBatchSize(64);
        TrainingResult simd = new Trainer(new SimdBackend(1), model, loss, sgd, c).fit(sparse);
        TrainingResult gpu = new Trainer(OpenClBackend.create(), model, loss, sgd, c).fit(sparse);
        assertSameRun("softmax digits", model, simd, gpu);
    }

    /**
     * One batch's gradient (accumulated twice at weight 0.5, then after a step overwritten) and the
     * predictions of a sparse batch, gpu session against the simd one.
     */
    @Test
    void oneBatchGradientAndPredictionsEqualSimd() {
        Sequential model = Models.mlp(30).dense(8, Activation.TANH).dense(1).build();
        Loss loss = Loss.bceWithLogits();
        Optimizer sgd = Optimizers.sgd(0.1).momentum(0.9);
        float[] p = model.initialParameters(3);
        SparseBatches batches = new SparseBatches(THINNED, 16, 3);
        SparseBatch batch = batches.newBatch();
        batches.next(batch);
        try (TrainingSession s = TrainingSession.open(new SimdBackend(1), model, loss, sgd, p);
                TrainingSession g = TrainingSession.open(OpenClBackend.create(), model, loss, sgd, p)) {
            assertTrue(g instanceof OpenClTrainingSession);
            for (int round = 0; round < 2; round++) {
                for (int twice = 0; twice < 2; twice++) {
                    double ls = s.accumulate(batch, 0.5f), lg = g.accumulate(batch, 0.5f);
                    assertEquals(ls, lg, 1e-6 * (1 + ls));
                }
                float[] gs = new float[p.length], gg = new float[p.length];
                s.readGradient(gs);
                g.readGradient(gg);
                double scale = 0;
                for (float v : gs) scale = Math.max(scale, Math.abs(v));
                assertTrue(scale > 1e-3);
                for (int i = 0; i < p.length; i++) assertEquals(gs[i], gg[i], 1e-5 * scale, "gradient " + i);
                s.step(0.1);
                g.step(0.1);
                batches.next(batch);
            }
            float[] os = new float[16], og = new float[16];
            s.predict(batch, os);
            g.predict(batch, og);
            for (int i = 0; i < 16; i++) assertEquals(os[i], og[i], 1e-5, "output " + i);
        }
    }

    /** A sparse run checkpointed on the device resumes there bit for bit (Adam: its moments travel too). */
    @Test
    void aSparseRunResumesOnGpuBitForBit(@TempDir Path dir) {
        Sequential model = Models.mlp(30).dense(8, Activation.TANH).dense(1).build();
        Optimizer adam = Optimizers.adam(0.01);
        Loss loss = Loss.bceWithLogits();
        OpenClBackend gpu = OpenClBackend.create();
        TrainingResult whole = new Trainer(gpu, model, loss, adam, config()).fit(THINNED);
        new Trainer(gpu, model, loss, adam, config().withEpochs(2).withCheckpoints(dir, 1)).fit(THINNED);
        TrainingResult resumed = new Trainer(gpu, model, loss, adam, config()).resume(dir, THINNED);
        org.junit.jupiter.api.Assertions.assertArrayEquals(whole.parameters(), resumed.parameters());
        assertEquals(whole.history().steps().size(), resumed.history().steps().size());
    }

    @Test
    void theLazyUpdateIsRefusedOnGpuByName() {
        Trainer t = new Trainer(
                OpenClBackend.create(),
                Models.logisticRegression(30),
                Loss.bceWithLogits(),
                Optimizers.sgd(0.1),
                config());
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(THINNED, SparseUpdate.LAZY));
        assertEquals(
                "the lazy sparse update (SparseUpdate.LAZY) runs on the CPU backends (simd, scalar) only; the gpu"
                        + " backend trains sparse data with SparseUpdate.DENSE (PyTorch's update)",
                e.getMessage());
    }

    /** Rows streamed from a LIBSVM file (SparseStream) train on gpu as on simd. */
    @Test
    void aStreamedRunOnGpuEqualsTheSimdRun(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("thinned.svm");
        try (Writer w = Files.newBufferedWriter(file)) {
            for (int r = 0; r < THINNED.rows(); r++) {
                StringBuilder line = new StringBuilder().append((int) THINNED.y()[r]);
                int at = (int) THINNED.rowStart(r);
                for (int e = at; e < at + THINNED.rowLength(r); e++)
                    line.append(' ')
                            .append(THINNED.columns()[e] + 1)
                            .append(':')
                            .append(String.format(Locale.ROOT, "%.9g", THINNED.values()[e]));
                w.write(line.append('\n').toString());
            }
        }
        Sequential model = Models.mlp(30).dense(8, Activation.TANH).dense(1).build();
        Optimizer sgd = Optimizers.sgd(0.2).momentum(0.9).weightDecay(1e-3);
        Loss loss = Loss.bceWithLogits();
        TrainingResult simd = new Trainer(new SimdBackend(1), model, loss, sgd, config())
                .fit(SparseStream.libsvm(file, Labels.classification(), 30).shuffleBuffer(100));
        Trainer onGpu = new Trainer(OpenClBackend.create(), model, loss, sgd, config());
        TrainingResult gpu =
                onGpu.fit(SparseStream.libsvm(file, Labels.classification(), 30).shuffleBuffer(100));
        assertSameRun("stream", model, simd, gpu);
        // checkpointed after 2 epochs on gpu, resumed there on a fresh stream over the same file
        Path ckpt = tmp.resolve("ckpt");
        new Trainer(
                        OpenClBackend.create(),
                        model,
                        loss,
                        sgd,
                        config().withEpochs(2).withCheckpoints(ckpt, 1))
                .fit(SparseStream.libsvm(file, Labels.classification(), 30).shuffleBuffer(100));
        TrainingResult resumed = onGpu.resume(
                ckpt, SparseStream.libsvm(file, Labels.classification(), 30).shuffleBuffer(100));
        org.junit.jupiter.api.Assertions.assertArrayEquals(gpu.parameters(), resumed.parameters());
    }

    /** Sparse rows need a dense first layer, on gpu as on the CPU: the same error, by layer name. */
    @Test
    void aModelWithoutADenseFirstLayerIsRefusedAsOnTheCpu() {
        Sequential model = Models.sequential(30).batchNorm().dense(1).build();
        Optimizer sgd = Optimizers.sgd(0.1);
        Loss loss = Loss.bceWithLogits();
        var cpu = assertThrows(
                IllegalArgumentException.class,
                () -> new Trainer(new SimdBackend(1), model, loss, sgd, config()).fit(THINNED));
        var gpu = assertThrows(
                IllegalArgumentException.class,
                () -> new Trainer(OpenClBackend.create(), model, loss, sgd, config()).fit(THINNED));
        assertTrue(cpu.getMessage().startsWith("sparse input needs a dense first layer"), cpu.getMessage());
        assertEquals(cpu.getMessage(), gpu.getMessage());
    }
}
