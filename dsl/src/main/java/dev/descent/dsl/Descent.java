package dev.descent.dsl;

import dev.descent.model.Sequential;

/**
 * Where a training script starts: {@code Descent.train(model)} opens a {@link TrainingBuilder} that
 * composes loss, optimizer, learning rate or schedule, batch size, epochs and the rest into an
 * immutable {@link TrainingSpec}, which {@link TrainingSpec#fit fit} runs.
 *
 * <pre>{@code
 * Fit fit = Descent.train(Models.mlp(64).dense(32, Activation.RELU).dense(10))
 *         .loss(Loss.softmaxCrossEntropy())
 *         .optimizer(Optimizers.sgd(0.1).momentum(0.9).nesterov())
 *         .schedule(Schedules.warmup(50).then(Schedules.cosine(400)))
 *         .batchSize(32).epochs(10).seed(42)
 *         .fit(train, test);
 * }</pre>
 *
 * From Kotlin, {@code dev.descent.dsl.kotlin.training { ... }} builds the same spec.
 */
public final class Descent {
    private Descent() {}

    /** A builder for training this model. */
    public static TrainingBuilder train(Sequential model) {
        return new TrainingBuilder().model(model);
    }

    /** A builder for training the model this builder describes (built when the spec is built). */
    public static TrainingBuilder train(Sequential.Builder model) {
        return new TrainingBuilder().model(model);
    }

    /** A builder with no model yet (set it with {@link TrainingBuilder#model}). */
    public static TrainingBuilder train() {
        return new TrainingBuilder();
    }
}
