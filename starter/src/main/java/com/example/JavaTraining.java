package com.example;

import dev.descent.backend.Activation;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;

/** A training script with the Java fluent builder: an MLP 30-16-2 on the breast-cancer data. */
public final class JavaTraining {

    private JavaTraining() {}

    /** Trains, prints the test accuracy and returns the result. */
    public static Fit run() {
        Split data = BreastCancer.standardized();
        Dataset train = data.train(), test = data.test();

        Fit fit = Descent.train(Models.mlp(30).dense(16, Activation.RELU).dense(2))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.05).momentum(0.9))
                .schedule(Schedules.warmup(30).then(Schedules.cosine(570))) // multiplies lr 0.05
                .batchSize(16)
                .epochs(20)
                .seed(42)
                // no .backend(...): -Ddescent.backend=scalar|simd|gpu, else the best available
                .onEpochEnd(e -> {
                    if (e.epoch() % 5 == 0) System.out.printf("epoch %d: loss %.4f%n", e.epoch(), e.loss());
                })
                .fit(train, test);

        System.out.printf(
                "Java script: test accuracy %.3f (%d test rows), backend %s, %.2f s%n",
                fit.accuracy(test), test.rows(), fit.backend().name(), fit.seconds());
        return fit;
    }
}
