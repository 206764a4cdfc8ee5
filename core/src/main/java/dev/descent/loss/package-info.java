/**
 * Losses over a batch of predictions, with PyTorch's definitions and reductions.
 *
 * <p>{@link dev.descent.loss.Loss} is the one type: {@link dev.descent.loss.Loss#mse()}, {@link
 * dev.descent.loss.Loss#softmaxCrossEntropy()} (targets are class indices), {@link
 * dev.descent.loss.Loss#bceWithLogits()}, {@link dev.descent.loss.Loss#huber(double)} and {@link
 * dev.descent.loss.Loss#hinge()}, each with its value and its gradient with respect to the
 * predictions, mean- or sum-reduced as PyTorch reduces them.
 */
package dev.descent.loss;
