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
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's user-written optimizer ({@link Signum}, one file) trained by the Trainer on simd. */
class ReadmeCustomOptimizerTest {

    @Test
    void signumTrainsAnMlpOnDigitsOnSimd() {
        Path data = Shared.data();
        Split digits = Split.benchmark(Csv.load(data.resolve("digits.csv")));
        Standardizer standardizer = Standardizer.fit(digits.train());
        Dataset train = standardizer.apply(digits.train()), test = standardizer.apply(digits.test());
        // README:begin my-optimizer-training
        Fit fit = Descent.train(Models.mlp(64).dense(64, Activation.RELU).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(new Signum(0.002, 0.9)) // your rule, like any other
                .batchSize(32)
                .epochs(10)
                .seed(42)
                .backend("simd")
                .fit(train, test);
        // README:end
        assertTrue(fit.accuracy(test) > 0.93, "test accuracy " + fit.accuracy(test));
    }
}
