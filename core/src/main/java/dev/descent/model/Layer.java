package dev.descent.model;

import dev.descent.backend.Backend;
import java.util.List;

/**
 * One step of a {@link Sequential} model, PyTorch's {@code nn.Module} for a stack of layers: it
 * declares its {@linkplain Parameter parameters} (named, shaped, with an initialiser; the model
 * places them one after the other in its flat parameter buffer and its gradient buffer), computes
 * its output shape from its input shape, and runs forward and backward passes on a {@link Backend}
 * over a batch of rows.
 *
 * <p>Shapes are per example (the batch dimension is implicit): {@code [features]} for the layers of
 * an MLP, {@code [channels, height, width]} for images (NCHW: element (c, h, w) of a row at {@code
 * c·H·W + h·W + w}). A batch is row-major: row r of an input of width w starts at {@code r·w}.
 *
 * <p>A layer object is immutable configuration; it may appear in several models. Everything a pass
 * needs (the backend, the buffers, the offsets of this layer's parameters, the batch size, a
 * scratch buffer sized by {@link #scratchPerRow}) comes in a {@link LayerContext} that the model's
 * workspace allocates once, so a pass allocates nothing.
 *
 * <p><b>Reach arrays only through the backend.</b> A pass should touch x, y, dy, dx, the scratch,
 * the parameters, gradients and buffers only through {@link Backend} operations (matrix products,
 * {@link Backend#im2col}, {@link Backend#maxPool}, {@link Backend#batchNormForward}, {@link
 * Backend#dropout}, {@link Backend#copy} ...), never read or write their elements itself: then the
 * layer runs on every backend, including the gpu's, whose arrays are handles of device memory (NaN
 * on the host). Every built-in layer does so. A layer that loops over the arrays itself runs on the
 * CPU backends only.
 *
 * <p>To write one: implement the four abstract methods, check it with {@link GradientCheck}, add it
 * with {@code Models.sequential(inputs).add(layer)}. See the README's "Layers" section.
 *
 * <p>A layer is {@link java.io.Serializable} (a record of numbers is, as it stands) so that
 * data-parallel training (the spark module) can ship a model to the executors.
 */
public interface Layer extends java.io.Serializable {

    /** Short kind for messages and {@code toString}: "dense", "relu", "layer_norm". */
    String kind();

    /**
     * The shape of one example's output given one example's input shape.
     *
     * @throws IllegalArgumentException if this layer cannot take that input; the message names the
     *     shape expected and the shape given (the model adds the layer's name)
     */
    int[] outputShape(int[] inputShape);

    /** The parameters this layer owns for the given input shape, in buffer order (none by default). */
    default List<Parameter> parameters(int[] inputShape) {
        return List.of();
    }

    /**
     * The non-trainable state this layer keeps across passes for the given input shape, PyTorch's
     * {@code register_buffer} ({@link BatchNorm}'s {@code running_mean}, {@code running_var}, {@code
     * num_batches_tracked}), in buffer order (none by default). The model places them in a flat
     * buffer of their own ({@link Sequential#bufferCount}), which only training passes change ({@link
     * LayerContext#buffers}), and which optimizers, clipping and iterate averaging never touch;
     * checkpoints save them as {@code layers.N.<name>}.
     */
    default List<Parameter> buffers(int[] inputShape) {
        return List.of();
    }

    /** Floats of scratch per row this layer needs between its forward and backward pass (0 by default). */
    default int scratchPerRow(int[] inputShape) {
        return 0;
    }

    /**
     * Floats of scratch this layer needs whatever the batch size (0 by default), after the {@code
     * rows × scratchPerRow} ones: a working buffer for a block of rows at a time, such as {@link
     * Conv2D}'s im2col matrix, so that evaluating a large batch does not grow it.
     */
    default int scratchFixed(int[] inputShape) {
        return 0;
    }

    /**
     * Forward pass over {@code c.rows()} rows: reads x ({@code rows×c.inputWidth()}) and the
     * parameters, overwrites y ({@code rows×c.outputWidth()}) and this layer's scratch; a training
     * pass may also update this layer's {@linkplain #buffers buffers}.
     */
    void forward(LayerContext c, float[] x, float[] y);

    /**
     * Backward pass after {@link #forward} on the same x and context. Reads x, y, the scratch and
     * {@code dy} (dLoss/dy, not modified); adds this layer's parameter gradients into {@code
     * c.grads()} at {@link LayerContext#parameterOffset} (overwrites them instead when {@code
     * !c.accumulate()}); overwrites {@code dx} (dLoss/dx, {@code rows×c.inputWidth()}) unless it is
     * null (the first layer: nobody needs it).
     */
    void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx);
}
