/**
 * Optimizers: PyTorch's update rules, as immutable configuration plus explicit state.
 *
 * <p>Start with {@link dev.descent.optim.Optimizers}: {@code sgd(lr)}, {@code adam(lr)}, {@code
 * adamW(lr)}, {@code rmsprop(lr)}, {@code adagrad(lr)}, each refined by its own methods ({@code
 * Optimizers.sgd(0.1).momentum(0.9).nesterov()}), or {@link
 * dev.descent.optim.Optimizers#fromSpec} from a PyTorch-style name and hyper-parameter map (each
 * optimizer parses its own through a nested {@link dev.descent.optim.OptimizerSpec}, found by {@link
 * java.util.ServiceLoader}). The
 * rules ({@link dev.descent.optim.Sgd}, {@link dev.descent.optim.Adam}, {@link
 * dev.descent.optim.RmsProp}, {@link dev.descent.optim.Adagrad}) follow {@code torch.optim} exactly,
 * and PyTorch's numbers are their tests' oracle.
 *
 * <p>An {@link dev.descent.optim.Optimizer} updates the whole flat parameter buffer in one pass;
 * its mutable state (step count, momentum and moment buffers under PyTorch's names) is a separate
 * {@link dev.descent.optim.OptimizerState} that checkpoints write and read. The learning rate of
 * each step is passed in, so any schedule can drive any optimizer; to write your own rule,
 * implement {@code Optimizer} and check it with {@code dev.descent.dsl.testing.ReferenceCases}.
 */
package dev.descent.optim;
