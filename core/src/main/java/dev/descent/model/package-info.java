/**
 * Models whose parameters live in one flat {@code float[]}.
 *
 * <p>A model is a {@link dev.descent.model.Sequential} of {@link dev.descent.model.Layer}s. Start
 * with {@link dev.descent.model.Models}: linear, logistic and softmax regression, {@link
 * dev.descent.model.Models#mlp Models.mlp(inputs)}, a builder of {@link dev.descent.model.Dense}
 * layers with fused activations ({@code .dense(128, Activation.RELU).dense(10)}), and {@link
 * dev.descent.model.Models#sequential Models.sequential(inputs)}, which also takes any layer ({@code
 * .add(layer)}), a user's own included. A Sequential is immutable: it places each layer's declared
 * {@link dev.descent.model.Parameter}s in the flat parameter buffer (named like PyTorch's {@code
 * state_dict}: {@code layers.0.weight}), runs forward and backward passes on a {@link
 * dev.descent.backend.Backend} in a reusable {@link dev.descent.model.Sequential.Workspace}, and
 * initialises parameters from a seed with an {@link dev.descent.model.Init} scheme. {@link
 * dev.descent.model.GradientCheck} verifies a layer's backward pass by finite differences.
 */
package dev.descent.model;
