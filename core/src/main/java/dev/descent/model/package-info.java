/**
 * Models whose parameters live in one flat {@code float[]}.
 *
 * <p>Start with {@link dev.descent.model.Models}: linear, logistic and softmax regression, and
 * {@link dev.descent.model.Models#mlp Models.mlp(inputs)}, a builder of {@link
 * dev.descent.model.Dense} layers ({@code .dense(128, Activation.RELU).dense(10)}). The result, an
 * {@link dev.descent.model.Mlp}, is immutable: it knows each layer's offsets in the flat parameter
 * buffer (weight in PyTorch's out-by-in layout, then bias), runs forward and backward passes on a
 * {@link dev.descent.backend.Backend} in a reusable {@link dev.descent.model.Mlp.Workspace}, and
 * initialises parameters from a seed with an {@link dev.descent.model.Init} scheme.
 */
package dev.descent.model;
