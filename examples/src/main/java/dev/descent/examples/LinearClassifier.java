package dev.descent.examples;

import dev.descent.backend.Backend;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.schedule.Schedule;

/**
 * A linear classifier on a standardised split, for the examples that need a small real training run: logistic regression (one logit, BCE) for two classes, softmax
 * regression otherwise, trained with the DSL ({@link #fit}).
 */
final class LinearClassifier {

    final Dataset train, test;
    final Sequential model;
    final Loss loss;

    private LinearClassifier(Dataset train, Dataset test) {
        this.train = train;
        this.test = test;
        if (train.classes() < 2)
            throw new IllegalArgumentException("this example needs class labels (at least 2 classes), got " + train);
        boolean binary = train.classes() == 2;
        this.model = binary
                ? Models.logisticRegression(train.features())
                : Models.softmaxRegression(train.features(), train.classes());
        this.loss = binary ? Loss.bceWithLogits() : Loss.softmaxCrossEntropy();
    }

    /** Standardises both halves with the training rows' mean and scale. */
    static LinearClassifier of(Split split) {
        Standardizer std = Standardizer.fit(split.train());
        return new LinearClassifier(std.apply(split.train()), std.apply(split.test()));
    }

    /** Mean loss over a data set. */
    double loss(Backend backend, float[] params, Dataset d) {
        float[] out = model.forward(backend, params, d.x(), d.rows(), model.workspace(d.rows()));
        return loss.value(out, 0, d.y(), 0, d.rows(), model.outputs());
    }

    /** Fraction of rows classified right (logit > 0, or the largest output). */
    double accuracy(Backend backend, float[] params, Dataset d) {
        float[] out = model.forward(backend, params, d.x(), d.rows(), model.workspace(d.rows()));
        int k = model.outputs(), correct = 0;
        for (int r = 0; r < d.rows(); r++) {
            int pred = 0;
            if (k == 1) pred = out[r] > 0 ? 1 : 0;
            else for (int j = 1; j < k; j++) if (out[r * k + j] > out[r * k + pred]) pred = j;
            if (pred == d.label(r)) correct++;
        }
        return (double) correct / d.rows();
    }

    /** Optimizer steps in {@code epochs} epochs of batches of {@code batchSize}. */
    long steps(int batchSize, int epochs) {
        return (long) new Batches(train, batchSize, 0).batchesPerEpoch() * epochs;
    }

    /**
     * Minibatch SGD from the model's initial parameters (seeded) with the DSL, learning rate {@code
     * absolute.at(step)} (an absolute rate: scale a multiplier first). The training set is also the
     * validation set, so every epoch of the history ends with the full training loss ({@code valLoss}).
     */
    Fit fit(String backend, Optimizer optimizer, Schedule absolute, int batchSize, int epochs, long seed) {
        return Descent.train(model)
                .loss(loss)
                .optimizer(optimizer)
                .lr(absolute)
                .batchSize(batchSize)
                .epochs(epochs)
                .seed(seed)
                .backend(backend)
                .progressBar(false)
                .fit(train, train);
    }
}
