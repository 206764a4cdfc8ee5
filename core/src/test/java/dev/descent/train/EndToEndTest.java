package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Training on real data sets reaches real accuracies, and repeats bit for bit. */
class EndToEndTest {

    @Test
    void mlpReaches95PercentOnMnist10k() {
        Split mnist = Idx.mnist(Shared.data().resolve("mnist10k"));
        Sequential model = Models.mlp(784).dense(128, Activation.RELU).dense(10).build();
        float[] params = train(
                Backends.byName("simd"),
                model,
                Loss.softmaxCrossEntropy(),
                Optimizers.sgd(0.05).momentum(0.9),
                mnist.train(),
                64,
                10,
                42);
        double acc = accuracy(Backends.byName("simd"), model, params, mnist.test());
        System.out.printf("MNIST-10k MLP 784-128-10: test accuracy %.4f%n", acc);
        assertTrue(acc >= 0.95, "test accuracy " + acc);
    }

    @Test
    void logisticRegressionReaches95PercentOnBreastCancer() {
        Split split = Split.benchmark(Csv.load(Shared.data().resolve("breast_cancer.csv")));
        Standardizer std = Standardizer.fit(split.train());
        Dataset train = std.apply(split.train()), test = std.apply(split.test());
        Sequential model = Models.logisticRegression(30);
        for (String b : new String[] {"scalar", "simd"}) {
            Backend backend = Backends.byName(b);
            float[] params =
                    train(backend, model, Loss.bceWithLogits(), Optimizers.sgd(0.1), regression(train), 16, 30, 7);
            double acc = accuracy(backend, model, params, test);
            System.out.printf("breast cancer, logistic regression on %s: test accuracy %.4f%n", b, acc);
            assertTrue(acc >= 0.95, b + ": test accuracy " + acc);
        }
    }

    @Test
    void sameSeedGivesBitIdenticalParameters() {
        Split digits = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Dataset train = Standardizer.fit(digits.train()).apply(digits.train());
        Sequential model = Models.mlp(64).dense(32, Activation.TANH).dense(10).build();
        for (String b : new String[] {"scalar", "simd"}) {
            Backend backend = Backends.byName(b);
            Optimizer opt = Optimizers.adam(0.01);
            float[] first = train(backend, model, Loss.softmaxCrossEntropy(), opt, train, 32, 2, 123);
            float[] second = train(backend, model, Loss.softmaxCrossEntropy(), opt, train, 32, 2, 123);
            float[] other = train(backend, model, Loss.softmaxCrossEntropy(), opt, train, 32, 2, 124);
            assertArrayEquals(first, second, b + ": same seed must give bit-identical parameters");
            assertFalse(Arrays.equals(first, other), b + ": another seed gives other parameters");
        }
    }

    /** A logistic-regression view of a 0/1 classification set: one float target per row. */
    private static Dataset regression(Dataset d) {
        return new Dataset(d.name(), d.x(), d.y(), d.rows(), d.features(), 1, 0);
    }

    static float[] train(
            Backend backend,
            Sequential model,
            Loss loss,
            Optimizer opt,
            Dataset data,
            int batchSize,
            int epochs,
            long seed) {
        TrainingConfig config = TrainingConfig.defaults()
                .withBatchSize(batchSize)
                .withEpochs(epochs)
                .withSeed(seed);
        return new Trainer(backend, model, loss, opt, config).fit(data).parameters();
    }

    /** Fraction of rows whose predicted class (argmax, or logit > 0 for one output) is the label. */
    static double accuracy(Backend backend, Sequential model, float[] params, Dataset data) {
        Loss loss = model.outputs() == 1 ? Loss.bceWithLogits() : Loss.softmaxCrossEntropy();
        if (model.outputs() == 1) data = regression(data);
        try (var s = TrainingSession.open(backend, model, loss, Optimizers.sgd(0), params)) {
            return Evaluation.of(s, data).accuracy();
        }
    }
}
