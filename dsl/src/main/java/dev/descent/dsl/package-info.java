/**
 * Training scripts: where most users start.
 *
 * <p>{@link dev.descent.dsl.Descent#train Descent.train(model)} opens a {@link
 * dev.descent.dsl.TrainingBuilder}: set the loss, optimizer, learning rate or schedule, batch size,
 * epochs, seed, backend, callbacks, checkpoints and the rest; {@link
 * dev.descent.dsl.TrainingBuilder#build()} checks them all at once into an immutable {@link
 * dev.descent.dsl.TrainingSpec}, and {@link dev.descent.dsl.TrainingSpec#fit fit(train, validation)}
 * runs it and returns a {@link dev.descent.dsl.Fit} (the trained model, history, timings, {@code
 * evaluate}/{@code accuracy}/{@code predict}).
 *
 * <pre>{@code
 * Fit fit = Descent.train(Models.mlp(64).dense(64, Activation.RELU).dense(10))
 *         .loss(Loss.softmaxCrossEntropy())
 *         .optimizer(Optimizers.sgd(0.1).momentum(0.9).nesterov())
 *         .schedule(Schedules.warmup(45).then(Schedules.cosine(405)))
 *         .batchSize(32).epochs(10).seed(42)
 *         .fit(train, test);
 * }</pre>
 *
 * <p>From Kotlin, {@code dev.descent.dsl.kotlin.training { ... }} builds the same spec with a
 * type-safe builder (documented with Dokka: see the README's "API documentation").
 */
package dev.descent.dsl;
