/**
 * Helpers for unit-testing optimizers, yours included: {@link
 * dev.descent.dsl.testing.ReferenceCases} checks an {@link dev.descent.optim.Optimizer} against
 * PyTorch's recorded trajectories in a few lines, and {@link dev.descent.dsl.testing.Trajectories}
 * runs any optimizer and schedule on an analytic {@link dev.descent.objective.Objective} and records
 * the {@link dev.descent.dsl.testing.Trajectory}.
 */
package dev.descent.dsl.testing;
