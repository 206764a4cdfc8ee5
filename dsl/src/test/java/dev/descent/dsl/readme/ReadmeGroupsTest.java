package dev.descent.dsl.readme;

import static dev.descent.optim.ParamGroup.Selector.names;
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
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's parameter groups and iterate averaging, trained on digits on simd. */
class ReadmeGroupsTest {

    @Test
    void groupsAndAveragingTrainAnMlpOnDigits() {
        Path data = Shared.data();
        Split digits = Split.benchmark(Csv.load(data.resolve("digits.csv")));
        Standardizer standardizer = Standardizer.fit(digits.train());
        Dataset train = standardizer.apply(digits.train()), test = standardizer.apply(digits.test());
        // README:begin groups-and-averaging
        Fit fit = Descent.train(Models.mlp(64)
                        .dense(64, Activation.RELU)
                        .dense(32, Activation.RELU)
                        .dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.05)
                        .momentum(0.9)
                        .weightDecay(5e-4)
                        .groups(
                                ParamGroup.of("biases", names("*.bias")).weightDecay(0), // no decay on biases
                                ParamGroup.of("head", names("layers.2.weight")).lrMultiplier(0.5),
                                ParamGroup.of("stem", names("layers.0.weight")).frozen())) // kept at init
                .averaging(Averaging.ema(0.99)) // validation and the result use the average
                .batchSize(32)
                .epochs(10)
                .seed(42)
                .backend("simd")
                .fit(train, test);
        // README:end
        assertTrue(fit.accuracy(test) > 0.9, "test accuracy " + fit.accuracy(test));
    }
}
