/**
 * Losses over a batch of predictions, with PyTorch's definitions and reductions.
 *
 * <p>{@link dev.descent.loss.Loss} is the open seam: an interface whose factories build the
 * built-ins ({@code mse}, {@code l1}, {@code smoothL1}, {@code huber}, {@code hinge}, {@code
 * bceWithLogits} with pos_weight, {@code softmaxCrossEntropy} with label smoothing and class
 * weights, {@code nll}, {@code klDiv}), one record each. A new loss is one class implementing
 * {@link dev.descent.loss.Loss}, or {@link dev.descent.loss.ElementwiseLoss} for a loss with one
 * term per element, plus its tests.
 */
package dev.descent.loss;
