package dev.descent.dsl.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Java training script of the README, run as a test (ReadmeSyncTest keeps the README in step). */
class ReadmeJavaScriptTest {

    @Test
    void trainsAnMlpOnDigits() {
        Path data = Shared.data(); // the shared/data folder
        // README:begin java-script
        Split digits = Split.benchmark(Csv.load(data.resolve("digits.csv"))); // 1438 train / 359 test rows
        Standardizer standardizer = Standardizer.fit(digits.train());
        Dataset train = standardizer.apply(digits.train()), test = standardizer.apply(digits.test());

        Fit fit = Descent.train(Models.mlp(64).dense(64, Activation.RELU).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1).momentum(0.9).nesterov())
                .schedule(Schedules.warmup(45).then(Schedules.cosine(405))) // multiplies the optimizer's lr 0.1
                .batchSize(32)
                .epochs(10)
                .seed(42)
                .backend("simd") // or leave it out and run with -Ddescent.backend=gpu
                .onEpochEnd(e -> System.out.printf("epoch %d: loss %.4f%n", e.epoch(), e.loss()))
                .fit(train, test);

        System.out.printf(
                "test accuracy %.3f, %.2f s, %.0f samples/s%n",
                fit.accuracy(test), fit.seconds(), fit.samplesPerSecond());
        // README:end
        assertTrue(fit.accuracy(test) > 0.95, "test accuracy " + fit.accuracy(test));
    }
}
