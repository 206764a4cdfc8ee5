package dev.descent.dsl.kotlin

import dev.descent.backend.Activation
import dev.descent.dsl.Descent
import dev.descent.dsl.Digits
import dev.descent.loss.Loss
import dev.descent.metric.Metrics
import dev.descent.model.Models
import dev.descent.optim.Optimizers
import dev.descent.schedule.ReduceOnPlateau
import dev.descent.schedule.ReduceOnPlateau.Mode
import dev.descent.train.EarlyStopping
import dev.descent.train.Monitor
import dev.descent.train.TrainingResult
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain

/** Metrics and monitors from both builders: equal specs, build-time errors, and a real run on digits. */
class MetricsSpec : StringSpec({

    "metrics, early stopping on a metric and plateau on a metric: Kotlin and Java give equal specs" {
        val plateauConfig = ReduceOnPlateau.Config.DEFAULTS.withPatience(2)
        val kotlin = training {
            model = mlp(inputs = 64) { dense(32, Relu); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = 0.1)
            metrics(Metrics.topK(3), Metrics.f1Macro(), Metrics.accuracy())
            earlyStopping = earlyStopping(patience = 3, monitor = "val_f1_macro")
            plateau(plateauConfig, monitor = "val_top3_accuracy", mode = Mode.MAX)
        }
        val java = Descent.train(Models.mlp(64).dense(32, Activation.RELU).dense(10))
            .loss(Loss.softmaxCrossEntropy())
            .optimizer(Optimizers.sgd(0.1))
            .metrics(Metrics.topK(3), Metrics.f1Macro(), Metrics.accuracy())
            .earlyStopping("val_f1_macro", null, 3)
            .plateau(plateauConfig, "val_top3_accuracy", Mode.MAX)
            .build()
        kotlin shouldBe java
        kotlin.hashCode() shouldBe java.hashCode()
        java.config().metrics() shouldBe listOf(Metrics.topK(3), Metrics.f1Macro(), Metrics.accuracy())
        java.config().earlyStopping() shouldBe EarlyStopping.patience(3).monitoring("val_f1_macro")
        java.config().plateauMonitor() shouldBe Monitor.of("val_top3_accuracy", Mode.MAX)
        // another metric list, another spec
        val other = training {
            model = mlp(inputs = 64) { dense(32, Relu); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = 0.1)
            metrics(Metrics.topK(5))
        }
        other.config().metrics() shouldNotBe kotlin.config().metrics()
    }

    "an unknown monitor fails at build in both builders, listing the known quantities" {
        val k = shouldThrow<IllegalArgumentException> {
            training {
                model = mlp(inputs = 64) { dense(10) }
                loss = softmaxCrossEntropy()
                optimizer = sgd(lr = 0.1)
                metrics(Metrics.f1Macro())
                earlyStopping = earlyStopping(patience = 3, monitor = "val_f1")
            }
        }
        k.message shouldContain "early stopping monitors 'val_f1'"
        k.message shouldContain "val_f1_macro"
        val j = shouldThrow<IllegalArgumentException> {
            Descent.train(Models.mlp(64).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1))
                .plateau(ReduceOnPlateau.Config.DEFAULTS, "auc")
                .build()
        }
        j.message shouldContain "reduce-on-plateau monitors 'auc'"
        j.message shouldContain "val_loss"
    }

    "a run on digits records top-3 and macro F1 per epoch and stops on val_f1_macro" {
        val fit = training {
            model = mlp(inputs = 64) { dense(32, Tanh); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = 0.05, momentum = 0.9)
            batchSize = 32; epochs = 60; seed = 5
            metrics(Metrics.topK(3), Metrics.f1Macro())
            earlyStopping = earlyStopping(patience = 3, monitor = "val_f1_macro")
        }.fit(Digits.train(), Digits.test())
        val epochs = fit.history().epochs()
        val last = epochs.last()
        last.get("val_f1_macro") shouldBeGreaterThan 0.9
        last.get("top3_accuracy") shouldBeGreaterThan last.get("val_f1_macro") - 0.1
        for (e in epochs) (e.get("val_top3_accuracy") >= e.valAccuracy()) shouldBe true // top-3 ⊇ top-1
        if (fit.result().stopReason() == TrainingResult.StopReason.EARLY_STOPPED) {
            var best = 0
            for (i in epochs.indices) if (epochs[i].get("val_f1_macro") > epochs[best].get("val_f1_macro")) best = i
            epochs.size shouldBe best + 1 + 3
        }
    }

    "the README's Kotlin metrics snippet runs" {
        val train = Digits.train()
        val test = Digits.test()
        val fit = training {
            model = mlp(inputs = 64) { dense(32, Tanh); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = 0.05, momentum = 0.9)
            metrics(Metrics.topK(3), Metrics.f1Macro())
            earlyStopping = earlyStopping(patience = 3, monitor = "val_f1_macro")
            plateau(ReduceOnPlateau.Config.DEFAULTS.withPatience(1), monitor = "val_top3_accuracy")
        }.fit(train, test)
        fit.history().lastEpoch().get("val_f1_macro") shouldBeGreaterThan 0.9
    }
})
