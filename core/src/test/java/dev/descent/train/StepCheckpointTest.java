package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.checkpoint.SafeTensors.Tensor;
import dev.descent.data.Labels;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseDataset;
import dev.descent.data.SparseStream;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Step checkpoints ({@link TrainingConfig#withCheckpointEverySteps}): a run that crashes in the
 * middle of an epoch and is resumed from its last step checkpoint by a new trainer ends with the
 * parameters and step losses of the run that never stopped, on dense rows, sparse rows and a stream,
 * on scalar and simd; the lazy sparse update resumes too.
 */
class StepCheckpointTest {

    @TempDir
    Path tmp;

    /** Thrown by a callback to stop a run as a crash would: no final checkpoint is written. */
    static final class Crash extends RuntimeException {
        Crash(long step) {
            super("crash after step " + step);
        }
    }

    /** Crashes the run after its step {@code at} (0-based) has been taken. */
    static Callback crashAfter(long at) {
        return new Callback() {
            @Override
            public void onStepEnd(History.Step s) {
                if (s.step() == at) throw new Crash(at);
            }
        };
    }

    static void assertSameRun(TrainingResult straight, TrainingResult resumed, String what) {
        assertArrayEquals(straight.parameters(), resumed.parameters(), what + ": parameters");
        List<History.Step> a = straight.history().steps(), b = resumed.history().steps();
        assertEquals(a.size(), b.size(), what + ": steps");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).loss(), b.get(i).loss(), 0, what + ": loss of step " + i);
            assertEquals(a.get(i).lr(), b.get(i).lr(), 0, what + ": lr of step " + i);
        }
        List<History.Epoch> ea = straight.history().epochs(),
                eb = resumed.history().epochs();
        assertEquals(ea.size(), eb.size(), what + ": epochs");
        for (int e = 0; e < ea.size(); e++) {
            assertEquals(ea.get(e).loss(), eb.get(e).loss(), 0, what + ": loss of epoch " + (e + 1));
            assertEquals(ea.get(e).valLoss(), eb.get(e).valLoss(), 0, what + ": val loss of epoch " + (e + 1));
            assertEquals(ea.get(e).steps(), eb.get(e).steps(), what + ": steps after epoch " + (e + 1));
        }
    }

    /**
     * Runs {@code config} straight (with its step checkpoints), then again crashing after step
     * {@code crashAt} and resumed by a new trainer; asserts both end alike, and alike a run without
     * checkpoints unless {@code lazyDecay} (reading the parameters for a checkpoint applies the
     * lazy update's owed decay then, which rounds differently from applying it later); returns the
     * checkpoint's state at the crash.
     */
    Map<String, Object> crashAndResume(
            String what,
            TrainingConfig config,
            long crashAt,
            Function<TrainingConfig, TrainingResult> fit,
            java.util.function.BiFunction<TrainingConfig, Path, TrainingResult> resume,
            boolean lazyDecay)
            throws IOException {
        Path ckpt = tmp.resolve(what.replaceAll("[^A-Za-z0-9]", "_"));
        TrainingResult straight = fit.apply(config.withCheckpoints(Path.of(ckpt + "-straight"), 1000));
        if (!lazyDecay)
            assertSameRun(
                    fit.apply(config.withCheckpointEverySteps(0).withCheckpoints(null, 1)),
                    straight,
                    what + " without checkpoints");
        TrainingConfig crashing = config.withCheckpoints(ckpt, 1000)
                .withCheckpointEverySteps(config.checkpointEverySteps())
                .withCallbacks(crashAfter(crashAt));
        assertThrows(Crash.class, () -> fit.apply(crashing), what);
        Map<String, Object> state = Checkpoint.read(ckpt).state();
        TrainingResult resumed = resume.apply(
                config.withCheckpoints(ckpt, 1000).withCheckpointEverySteps(config.checkpointEverySteps()), ckpt);
        assertSameRun(straight, resumed, what);
        return state;
    }

    /** A trainer of the digits MLP on simd. */
    static Trainer digits(Optimizer opt, TrainingConfig config) {
        return new Trainer(new SimdBackend(1), TrainerTest.MODEL, TrainerTest.LOSS, opt, config);
    }

    static TrainingConfig denseConfig(int epochs) {
        return CheckpointResumeTest.config(epochs); // accumulation 2, schedule, plateau, clipping, early stopping
    }

    @Test
    void aDenseRunResumesMidEpochBitForBitOnScalarAndSimd() throws IOException {
        // 1437 training rows in batches of 40: 36 batches, 18 steps of 2 micro-batches an epoch
        for (Backend backend : List.of(new ScalarBackend(), new SimdBackend(1))) {
            for (Optimizer opt : List.of(Optimizers.sgd(0.1).momentum(0.9).nesterov(), Optimizers.adamW(0.003))) {
                String what = backend.name() + " " + opt;
                TrainingConfig config = denseConfig(3).withCheckpoints(tmp, 1).withCheckpointEverySteps(5);
                // checkpoints after steps 5, 10, 15 (epoch 1), 20, 25 (epoch 2: 18..35); crash after step 27
                Map<String, Object> state = crashAndResume(
                        what,
                        config,
                        26,
                        c -> new Trainer(backend, TrainerTest.MODEL, TrainerTest.LOSS, opt, c)
                                .fit(TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test()),
                        (c, at) -> new Trainer(backend, TrainerTest.MODEL, TrainerTest.LOSS, opt, c)
                                .resume(at, TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test()),
                        false);
                assertEquals(25L, state.get("step"), what);
                assertEquals(1L, state.get("epochs_done"), what);
                Map<?, ?> in = (Map<?, ?>) state.get("in_epoch");
                assertEquals(2L, in.get("epoch"));
                assertEquals(14L, in.get("batch"), "7 steps of 2 micro-batches into epoch 2");
                assertEquals(14L * 40, in.get("rows"));
                assertEquals(2L, state.get("state_version"));
            }
        }
    }

    @Test
    void aRunStoppedInsideAnEpochResumesAtItsNextBatch() throws IOException {
        // no step checkpoints: the stop itself writes the mid-epoch checkpoint (it used to record the
        // partial epoch as done, so a resumed run skipped the rest of it)
        Optimizer opt = Optimizers.sgd(0.1).momentum(0.9);
        TrainingConfig config = denseConfig(3);
        Path ckpt = tmp.resolve("stopped");
        Function<TrainingConfig, Trainer> trainer = c -> digits(opt, c);
        TrainingResult straight = trainer.apply(config).fit(TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test());
        Callback stopAt26 = new Callback() {
            @Override
            public void onStepEnd(History.Step s) {
                if (s.step() == 26) throw new StopTraining("time is up");
            }
        };
        TrainingResult stopped = trainer.apply(config.withCheckpoints(ckpt, 1).withCallbacks(stopAt26))
                .fit(TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test());
        assertEquals(TrainingResult.StopReason.STOPPED_BY_CALLBACK, stopped.stopReason());
        Map<String, Object> state = Checkpoint.read(ckpt).state();
        assertEquals(27L, state.get("step"));
        assertEquals(1L, state.get("epochs_done"), "epoch 2 is not done");
        Map<?, ?> in = (Map<?, ?>) state.get("in_epoch");
        assertEquals(2L, in.get("epoch"));
        assertEquals(18L, in.get("batch"), "9 steps of 2 micro-batches into epoch 2");
        TrainingResult resumed = trainer.apply(config.withCheckpoints(ckpt, 1))
                .resume(ckpt, TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test());
        assertSameRun(straight, resumed, "stopped at step 26 and resumed");
    }

    @Test
    void aCheckpointIsNeverTakenBetweenMicroBatches() throws IOException {
        Path ckpt = tmp.resolve("acc");
        List<Long> saved = new ArrayList<>();
        TrainingConfig config = denseConfig(1).withCheckpoints(ckpt, 1).withCheckpointEverySteps(1);
        Callback watch = new Callback() {
            @Override
            public void onStepEnd(History.Step s) {
                if (s.step() > 0) saved.add(readLong(ckpt, "step")); // the checkpoint of the step before
            }
        };
        digits(Optimizers.sgd(0.1), config.withCallbacks(watch)).fit(TrainerTest.DIGITS.train());
        for (int i = 0; i < saved.size(); i++) assertEquals(i + 1L, saved.get(i), "checkpoint before step " + (i + 1));
        Map<String, Object> last = Checkpoint.read(ckpt).state();
        assertEquals(1L, last.get("epochs_done"));
        assertFalse(last.containsKey("in_epoch"), "the epoch's last step is checkpointed with the epoch's end");
    }

    private static long readLong(Path ckpt, String key) {
        try {
            return Checkpoint.read(ckpt).stateLong(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SparseDataset sparseRows() throws IOException {
        return Libsvm.loadSparse(
                StreamTrainingTest.data(Files.createTempDirectory("step-ckpt"), 400)
                        .resolve("part-0.svm"),
                Labels.classification(2),
                StreamTrainingTest.FEATURES);
    }

    static final Sequential LOGISTIC = StreamTrainingTest.MODEL;

    @Test
    void sparseRowsInMemoryResumeMidEpochDenseAndLazy() throws IOException {
        SparseDataset rows = sparseRows(); // 100 rows, batches of 8: 13 batches an epoch
        for (Backend backend : List.of(new ScalarBackend(), new SimdBackend(1)))
            for (SparseUpdate update : SparseUpdate.values())
                for (Optimizer opt : List.of(
                        Optimizers.sgd(0.3).weightDecay(0.01),
                        Optimizers.sgd(0.3).momentum(0.9).weightDecay(0.01))) {
                    String what = backend.name() + " " + update + " " + opt;
                    TrainingConfig config = StreamTrainingTest.config(4)
                            .withBatchSize(8)
                            .withCheckpoints(tmp, 1)
                            .withCheckpointEverySteps(4);
                    Map<String, Object> state = crashAndResume(
                            what,
                            config,
                            22,
                            c -> new Trainer(backend, LOGISTIC, Loss.bceWithLogits(), opt, c).fit(rows, update),
                            (c, at) -> new Trainer(backend, LOGISTIC, Loss.bceWithLogits(), opt, c)
                                    .resume(at, rows, update),
                            update == SparseUpdate.LAZY);
                    assertEquals(20L, state.get("step"), what);
                    assertEquals(7L, ((Map<?, ?>) state.get("in_epoch")).get("batch"), what);
                    assertEquals(update == SparseUpdate.LAZY ? "LAZY" : null, state.get("sparse_update"), what);
                }
    }

    @Test
    void aStreamResumesMidEpochBitForBit() throws IOException {
        Path dir = StreamTrainingTest.data(tmp.resolve("d"), 700);
        for (Backend backend : List.of(new ScalarBackend(), new SimdBackend(1)))
            for (SparseUpdate update : SparseUpdate.values()) {
                String what = backend.name() + " stream " + update;
                Optimizer opt = Optimizers.sgd(0.5).momentum(0.9).weightDecay(0.001);
                TrainingConfig config =
                        StreamTrainingTest.config(3).withCheckpoints(tmp, 1).withCheckpointEverySteps(10);
                // 700 rows in batches of 32: 22 steps an epoch; checkpoint after step 30, crash after step 35
                Map<String, Object> state = crashAndResume(
                        what,
                        config,
                        34,
                        c -> new Trainer(backend, LOGISTIC, Loss.bceWithLogits(), opt, c).fit(stream(dir), update),
                        (c, at) -> new Trainer(backend, LOGISTIC, Loss.bceWithLogits(), opt, c)
                                .resume(at, stream(dir), update),
                        update == SparseUpdate.LAZY);
                assertEquals(30L, state.get("step"), what);
                assertEquals(8L, ((Map<?, ?>) state.get("in_epoch")).get("batch"), what);
            }
    }

    /** A fresh stream object over the files each time, as after a restart. */
    static SparseStream stream(Path dir) {
        return SparseStream.libsvm(dir, Labels.classification(), StreamTrainingTest.FEATURES)
                .shuffleBuffer(50);
    }

    @Test
    void lazyFiveEpochsEqualTwoThenResumedThree() throws IOException {
        SparseDataset rows = sparseRows();
        for (Optimizer opt : List.of(
                Optimizers.sgd(0.3).weightDecay(0.01),
                Optimizers.sgd(0.3).momentum(0.9).weightDecay(0.01))) {
            Path ckpt = tmp.resolve("lazy" + opt.hashCode());
            TrainingConfig config = StreamTrainingTest.config(5).withBatchSize(8);
            Trainer five = new Trainer(new SimdBackend(1), LOGISTIC, Loss.bceWithLogits(), opt, config);
            TrainingResult straight = five.fit(rows, SparseUpdate.LAZY);
            new Trainer(
                            new SimdBackend(1),
                            LOGISTIC,
                            Loss.bceWithLogits(),
                            opt,
                            config.withEpochs(2).withCheckpoints(ckpt, 1))
                    .fit(rows, SparseUpdate.LAZY);
            assertSameRun(straight, five.resume(ckpt, rows, SparseUpdate.LAZY), "lazy " + opt);
            // resuming a lazy run with the dense update would continue another run
            var e = assertThrows(UncheckedIOException.class, () -> five.resume(ckpt, rows));
            assertInstanceOf(CheckpointException.class, e.getCause());
            assertTrue(
                    e.getMessage().contains("was written with sparse update \"LAZY\", this trainer has DENSE"),
                    e.getMessage());
        }
    }

    @Test
    void roundsOfLocalStepsCheckpointAtTheEndOfTheRoundAStepCheckpointFallsIn() throws IOException {
        // 1437 rows in batches of 100: 15 steps an epoch in rounds of 4, 4, 4, 3; every 6 steps a
        // checkpoint is due, written when its round ends: after steps 8, 12, 19 (epoch 2 starts at 15), 27
        var d = RoundSourceTest.digits();
        Backend b = new SimdBackend(1);
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.adam(0.003);
        Sequential model = RoundSourceTest.MODEL;
        TrainingConfig config =
                RoundSourceTest.config(3).withCheckpoints(tmp, 1).withCheckpointEverySteps(6);
        Map<String, Object> state = crashAndResume(
                "rounds",
                config,
                24,
                c -> new Trainer(b, model, loss, opt, c)
                        .fit(
                                new RoundSourceTest.OneWorker(b, model, loss, opt, d.train(), c, 4),
                                d.test(),
                                model.initialParameters(5)),
                (c, at) -> new Trainer(b, model, loss, opt, c)
                        .resume(at, new RoundSourceTest.OneWorker(b, model, loss, opt, d.train(), c, 4), d.test()),
                false);
        assertEquals(19L, state.get("step"));
        assertEquals(4L, ((Map<?, ?>) state.get("in_epoch")).get("batch"));
    }

    @Test
    void validationEarlyStoppingAndEpochCallbacksRunOnlyAtEpochEnds() throws IOException {
        // a mid-epoch checkpoint evaluates nothing; the resumed epoch's end validates, checks early
        // stopping and calls onEpochEnd once, with the loss of the whole epoch
        List<Integer> ends = new ArrayList<>();
        Callback epochs = new Callback() {
            @Override
            public void onEpochEnd(History.Epoch e) {
                ends.add(e.epoch());
            }
        };
        Optimizer opt = Optimizers.sgd(0.1).momentum(0.9);
        Path ckpt = tmp.resolve("val");
        TrainingConfig config = denseConfig(2).withCheckpoints(ckpt, 1).withCheckpointEverySteps(4);
        assertThrows(Crash.class, () -> digits(opt, config.withCallbacks(epochs, crashAfter(9)))
                .fit(TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test()));
        assertEquals(List.of(), ends, "no epoch ended before the crash");
        ends.clear();
        TrainingResult resumed = digits(opt, config.withCallbacks(epochs))
                .resume(ckpt, TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test());
        assertEquals(List.of(1, 2), ends);
        assertEquals(2, resumed.history().epochs().size());
        assertTrue(Double.isFinite(resumed.history().epochs().get(0).valLoss()));
    }

    @Test
    void anEpochCheckpointOfTheFormerLayoutStillResumes() throws IOException {
        // state version 1 (before step checkpoints): no state_version key
        Optimizer opt = Optimizers.sgd(0.1).momentum(0.9).nesterov();
        Path ckpt = tmp.resolve("v1");
        digits(opt, denseConfig(1).withCheckpoints(ckpt, 1)).fit(TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test());
        rewriteState(ckpt, s -> s.remove("state_version"));
        Trainer three = digits(opt, denseConfig(3));
        assertSameRun(
                three.fit(TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test()),
                three.resume(ckpt, TrainerTest.DIGITS.train(), TrainerTest.DIGITS.test()),
                "version 1");
        rewriteState(ckpt, s -> s.put("state_version", 3L));
        var e = assertThrows(UncheckedIOException.class, () -> three.resume(ckpt, TrainerTest.DIGITS.train(), null));
        assertTrue(e.getMessage().contains("has state_version 3; this Descent reads versions 1 to 2"), e.getMessage());
    }

    @Test
    void anInconsistentPositionIsRefused() throws IOException {
        Optimizer opt = Optimizers.sgd(0.1);
        Path ckpt = tmp.resolve("bad");
        TrainingConfig config = denseConfig(2).withCheckpoints(ckpt, 1).withCheckpointEverySteps(4);
        assertThrows(Crash.class, () -> digits(opt, config.withCallbacks(crashAfter(5)))
                .fit(TrainerTest.DIGITS.train()));
        Trainer two = digits(opt, config);
        rewriteState(ckpt, s -> inEpoch(s).put("batch", 7L));
        var e = assertThrows(UncheckedIOException.class, () -> two.resume(ckpt, TrainerTest.DIGITS.train(), null));
        assertTrue(
                e.getMessage().contains("'in_epoch.batch' is 7, inside an optimizer step of 2 micro-batches"),
                e.getMessage());
        rewriteState(ckpt, s -> inEpoch(s).put("batch", 10L));
        e = assertThrows(UncheckedIOException.class, () -> two.resume(ckpt, TrainerTest.DIGITS.train(), null));
        assertTrue(e.getMessage().contains("in_epoch.rows"), e.getMessage());
        rewriteState(ckpt, s -> inEpoch(s).put("batch", 36L));
        e = assertThrows(UncheckedIOException.class, () -> two.resume(ckpt, TrainerTest.DIGITS.train(), null));
        assertTrue(e.getMessage().contains("in_epoch.batch"), e.getMessage());
    }

    @Test
    void stepCheckpointsNeedAFolderAndACount() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> TrainingConfig.defaults().withCheckpointEverySteps(100));
        assertTrue(e.getMessage().startsWith("checkpointEverySteps 100 needs a checkpoint folder"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingConfig.defaults().withCheckpoints(tmp, 1).withCheckpointEverySteps(-1));
        assertTrue(e.getMessage().startsWith("checkpointEverySteps must be >= 0"), e.getMessage());
        assertEquals(
                0,
                TrainingConfig.defaults()
                        .withCheckpoints(tmp, 1)
                        .withCheckpointEverySteps(0)
                        .checkpointEverySteps());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> inEpoch(Map<String, Object> s) {
        return (Map<String, Object>) s.get("in_epoch");
    }

    /** Rewrites a checkpoint's state (deep copies, so nested objects may be edited), keeping its tensors. */
    @SuppressWarnings("unchecked")
    static void rewriteState(Path ckpt, java.util.function.Consumer<Map<String, Object>> edit) throws IOException {
        Checkpoint c = Checkpoint.read(ckpt);
        Map<String, Object> s = (Map<String, Object>) deepCopy(c.state());
        edit.accept(s);
        List<Tensor> tensors = new ArrayList<>(c.tensors().values());
        Checkpoint.write(ckpt, tensors, s);
    }

    private static Object deepCopy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, deepCopy(x)));
            return out;
        }
        if (v instanceof List<?> l)
            return new ArrayList<>(l.stream().map(StepCheckpointTest::deepCopy).toList());
        return v;
    }
}
