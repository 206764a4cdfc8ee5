package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.metric.Metric;
import dev.descent.metric.MetricTracker;
import dev.descent.metric.Metrics;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.ReduceOnPlateau.Mode;
import dev.descent.schedule.Schedules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics per epoch on training and validation data, in the history and its CSV, and early stopping
 * and reduce-on-plateau monitoring them, on the real breast-cancer set (logistic regression, BCE on
 * logits, standardized features).
 */
class MetricMonitoringTest {
    static final Backend SIMD = Backends.byName("simd");
    static final Dataset TRAIN, VAL;

    static {
        Split split = Split.benchmark(Csv.load(Shared.data().resolve("breast_cancer.csv")));
        Standardizer std = Standardizer.fit(split.train());
        TRAIN = oneColumn(std.apply(split.train()));
        VAL = oneColumn(std.apply(split.test()));
    }

    static final Sequential MODEL = Models.logisticRegression(30);
    static final Loss LOSS = Loss.bceWithLogits();

    /** One float 0/1 target per row, for one logit output. */
    static Dataset oneColumn(Dataset d) {
        return new Dataset(d.name(), d.x(), d.y(), d.rows(), d.features(), 1, 0);
    }

    static TrainingConfig config(int epochs) {
        return TrainingConfig.defaults()
                .withBatchSize(16)
                .withEpochs(epochs)
                .withSeed(3)
                .withMetrics(Metrics.accuracy(), Metrics.f1(), Metrics.auc(), Metrics.f1Macro());
    }

    /** The metric over {@code data} with the parameters {@code p}, measured independently of the trainer. */
    static double measure(Metric metric, float[] p, Dataset data) {
        try (TrainingSession s = TrainingSession.open(SIMD, MODEL, LOSS, Optimizers.sgd(0), p)) {
            float[] out = new float[data.rows()];
            s.predict(data.x(), data.rows(), out);
            MetricTracker t = new MetricTracker(List.of(metric), new Metric.Shape(data.rows(), 1, 1, false));
            t.add(out, data.y(), data.rows());
            Map<String, Double> v = new java.util.HashMap<>();
            t.putValues("", v);
            return v.get(metric.name());
        }
    }

    @Test
    void earlyStoppingOnValidationAucStopsPatienceEpochsAfterTheBestAndRestoresIt() {
        int patience = 4;
        TrainingConfig c = config(300)
                .withEarlyStopping(EarlyStopping.patience(patience).monitoring("val_auc")); // max: AUC's own direction
        TrainingResult r = new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.5).momentum(0.9), c).fit(TRAIN, VAL);
        List<History.Epoch> epochs = r.history().epochs();
        assertEquals(TrainingResult.StopReason.EARLY_STOPPED, r.stopReason(), r.stopDetail());
        // the best epoch: the first to reach the highest val_auc (later equal values are no improvement)
        int best = 0;
        for (int i = 1; i < epochs.size(); i++)
            if (epochs.get(i).get("val_auc") > epochs.get(best).get("val_auc")) best = i;
        assertEquals(best + 1 + patience, epochs.size(), "stops patience epochs after the best, " + r.stopDetail());
        double bestAuc = epochs.get(best).get("val_auc");
        System.out.printf(
                "breast cancer, early stopping on val_auc: best %.6f at epoch %d of %d (val_loss there %.4f)%n",
                bestAuc, best + 1, epochs.size(), epochs.get(best).valLoss());
        assertTrue(bestAuc > 0.98, "val_auc " + bestAuc);
        // restored: the result's parameters score the best epoch's val_auc
        assertEquals(bestAuc, measure(Metrics.auc(), r.parameters(), VAL), 1e-12);
        // every recorded value is the metric of that epoch's parameters: check the last epoch's training figures
        assertTrue(r.stopDetail().contains("val_auc"), r.stopDetail());
    }

    @Test
    void metricsAreRecordedOnTrainingAndValidationDataAndInTheCsv(@TempDir Path dir) throws Exception {
        TrainingResult r = new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.1), config(3)).fit(TRAIN, VAL);
        History.Epoch last = r.history().lastEpoch();
        assertEquals(
                List.of("accuracy", "f1", "auc", "f1_macro", "val_accuracy", "val_f1", "val_auc", "val_f1_macro"),
                List.copyOf(last.metrics().keySet()));
        // the training figures: an evaluation pass over the training set with the epoch's final parameters
        for (Metric m : List.of(Metrics.accuracy(), Metrics.f1(), Metrics.auc(), Metrics.f1Macro())) {
            assertEquals(measure(m, r.parameters(), TRAIN), last.get(m.name()), 1e-12, m.name());
            assertEquals(measure(m, r.parameters(), VAL), last.get("val_" + m.name()), 1e-12, "val_" + m.name());
        }
        assertEquals(last.valAccuracy(), last.get("val_accuracy"), 1e-12, "the built-in column agrees");
        Path csv = dir.resolve("epochs.csv");
        r.history().writeEpochsCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(
                "epoch,steps,samples,loss,val_loss,val_accuracy,val_rmse,lr,seconds,accuracy,f1,auc,f1_macro,val_f1,val_auc,"
                        + "val_f1_macro",
                lines.get(0));
        String[] row = lines.get(3).split(",", -1);
        assertEquals(last.get("val_auc"), Double.parseDouble(row[14]), 0);
        assertEquals(last.get("f1"), Double.parseDouble(row[10]), 0);
        assertEquals("", row[6], "no RMSE for a classifier");
    }

    @Test
    void reduceOnPlateauMonitorsAMetricInItsDirection() {
        ReduceOnPlateau.Config plateau =
                ReduceOnPlateau.Config.DEFAULTS.withPatience(0).withFactor(0.5);
        TrainingConfig c = config(12).withPlateau(plateau, Monitor.of("val_f1"));
        TrainingResult r = new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.5), c).fit(TRAIN, VAL);
        // replay PyTorch's rule in max mode over the recorded val_f1: each epoch's lr is the factor so far
        ReduceOnPlateau replay = new ReduceOnPlateau(Schedules.constant(1), plateau.withMode(Mode.MAX));
        int reductions = 0;
        for (History.Epoch e : r.history().epochs()) {
            assertEquals(0.5 * replay.factor(), e.lr(), 1e-15, "lr of epoch " + e.epoch());
            if (replay.report(e.get("val_f1"))) reductions++;
        }
        assertTrue(reductions > 0 && reductions < 12, "reductions " + reductions);
    }

    @Test
    void monitorsDefaultToTheLossAndTodaysBehaviourIsUnchanged() {
        TrainingConfig plain = TrainingConfig.defaults()
                .withBatchSize(16)
                .withEpochs(4)
                .withSeed(3)
                .withEarlyStopping(EarlyStopping.patience(2));
        TrainingConfig named = plain.withEarlyStopping(EarlyStopping.patience(2).monitoring("val_loss", Mode.MIN))
                .withMetrics(Metrics.auc());
        TrainingResult a = new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.1), plain).fit(TRAIN, VAL);
        TrainingResult b = new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.1), named).fit(TRAIN, VAL);
        assertArrayEquals(a.parameters(), b.parameters(), "metrics only measure");
        for (int e = 0; e < a.history().epochs().size(); e++)
            assertEquals(
                    a.history().epochs().get(e).valLoss(),
                    b.history().epochs().get(e).valLoss(),
                    0);
        assertTrue(a.history().lastEpoch().metrics().isEmpty());
    }

    @Test
    void anUnknownMonitorIsRefusedListingTheKnownOnes() {
        TrainingConfig typo =
                config(2).withEarlyStopping(EarlyStopping.patience(2).monitoring("val_aucc"));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.1), typo).fit(TRAIN, VAL));
        assertTrue(e.getMessage().contains("early stopping monitors 'val_aucc'"), e.getMessage());
        assertTrue(e.getMessage().contains("val_auc") && e.getMessage().contains("val_f1_macro"), e.getMessage());
        TrainingConfig noVal =
                config(2).withEarlyStopping(EarlyStopping.patience(2).monitoring("val_auc"));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.1), noVal).fit(TRAIN));
        assertTrue(
                e.getMessage().contains("no validation set") || e.getMessage().contains("has none"), e.getMessage());
        TrainingConfig plateau = config(2).withPlateau(ReduceOnPlateau.Config.DEFAULTS, Monitor.of("top5_accuracy"));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.1), plateau).fit(TRAIN, VAL));
        assertTrue(e.getMessage().contains("reduce-on-plateau monitors 'top5_accuracy'"), e.getMessage());
        // a metric that does not apply to the model is refused at fit, naming the data set
        TrainingConfig topK = config(2).withMetrics(Metrics.topK(2));
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.1), topK)
                .fit(TRAIN, VAL));
        assertTrue(e.getMessage().contains("training set") && e.getMessage().contains("top2_accuracy"), e.getMessage());
        // and two metrics of one name when the config is made
        e = assertThrows(IllegalArgumentException.class, () -> config(2).withMetrics(Metrics.f1(), Metrics.f1(1, 0.5)));
        assertTrue(e.getMessage().contains("'f1' is listed twice"), e.getMessage());
    }

    @Test
    void resumingARunThatMonitorsAMaxMetricIsBitIdentical(@TempDir Path dir) {
        TrainingConfig c = config(6)
                .withEarlyStopping(EarlyStopping.patience(50).monitoring("val_f1_macro"))
                .withPlateau(ReduceOnPlateau.Config.DEFAULTS.withPatience(0).withFactor(0.7), Monitor.of("val_auc"));
        Trainer whole = new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.3), c);
        TrainingResult a = whole.fit(TRAIN, VAL);
        Path ckpt = dir.resolve("run");
        new Trainer(SIMD, MODEL, LOSS, Optimizers.sgd(0.3), c.withEpochs(3).withCheckpoints(ckpt, 1)).fit(TRAIN, VAL);
        TrainingResult b = whole.resume(ckpt, TRAIN, VAL);
        assertArrayEquals(a.parameters(), b.parameters());
        for (int e = 0; e < 6; e++) {
            History.Epoch x = a.history().epochs().get(e),
                    y = b.history().epochs().get(e);
            assertEquals(x.metrics(), y.metrics(), "metrics of epoch " + (e + 1));
            assertEquals(x.lr(), y.lr(), 0);
        }
    }
}
