/**
 * Analytic objectives (functions of a parameter vector with their gradients), for running optimizers
 * directly on them and recording trajectories: {@link dev.descent.objective.Objectives} builds them,
 * including a Gaussian-noise wrapper that makes the gradient stochastic. {@code
 * dev.descent.dsl.testing.Trajectories} runs an optimizer on one.
 */
package dev.descent.objective;
