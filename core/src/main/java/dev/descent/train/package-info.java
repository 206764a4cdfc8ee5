/**
 * The training loop and what surrounds it.
 *
 * <p>Most users train through the DSL ({@code dev.descent.dsl.Descent.train(model)} or Kotlin's
 * {@code training { }}), which assembles these pieces. Underneath, a {@link dev.descent.train.Trainer}
 * (backend, model, loss, optimizer and a {@link dev.descent.train.TrainingConfig}) runs {@link
 * dev.descent.train.Trainer#fit fit(train, validation)} and returns a {@link
 * dev.descent.train.TrainingResult}: the parameters, the {@link dev.descent.train.History} (per step
 * and per epoch) and why training stopped.
 *
 * <ul>
 *   <li>Configuration: {@link dev.descent.train.TrainingConfig} (batch size, epochs, schedule,
 *       accumulation, seed, checkpoints...), {@link dev.descent.train.Clipping}, {@link
 *       dev.descent.train.EarlyStopping}.
 *   <li>Hooks: {@link dev.descent.train.Callback}; throw {@link dev.descent.train.StopTraining} to
 *       stop. A non-finite or exploding loss ends the run with {@link
 *       dev.descent.train.TrainingDivergedException}.
 *   <li>One step on one backend: {@link dev.descent.train.TrainingSession} (gradient of a batch into
 *       the flat gradient, then clip and update), on the CPU or, from {@code descent-gpu}, on the
 *       device.
 *   <li>Diagnostics: {@link dev.descent.train.Evaluation}, {@link dev.descent.train.LrFinder} (the
 *       learning-rate range test), {@link dev.descent.train.GradientNoise}, {@link
 *       dev.descent.train.BatchScaling}.
 * </ul>
 */
package dev.descent.train;
