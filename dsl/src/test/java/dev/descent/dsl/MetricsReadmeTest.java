package dev.descent.dsl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.metric.Metrics;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.ReduceOnPlateau;
import org.junit.jupiter.api.Test;

/** The README's Java metrics snippet (section "Metrics"), run on digits. */
class MetricsReadmeTest {

    @Test
    void theReadmeSnippetTrainsAndRecordsTheMetrics() {
        Dataset train = Digits.train(), test = Digits.test();
        var fit = Descent.train(Models.mlp(64).dense(32, Activation.TANH).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.05).momentum(0.9))
                .metrics(Metrics.topK(3), Metrics.f1Macro())
                .earlyStopping("val_f1_macro", null, 3) // null: F1's own direction, max
                .plateau(ReduceOnPlateau.Config.DEFAULTS.withPatience(1), "val_top3_accuracy")
                .fit(train, test);
        double best = fit.history().lastEpoch().get("val_f1_macro");
        assertTrue(best > 0.9, "val_f1_macro " + best);
        assertTrue(
                fit.history().lastEpoch().get("val_top3_accuracy") > 0.95,
                fit.history().lastEpoch().toString());
    }
}
