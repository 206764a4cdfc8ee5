package dev.descent.checkpoint;

import dev.descent.checkpoint.SafeTensors.Tensor;
import dev.descent.model.Sequential;
import dev.descent.optim.OptimizerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checkpoint tensors of a {@link Sequential}'s flat parameter buffer and of an {@link OptimizerState},
 * named like a PyTorch {@code state_dict}:
 *
 * <pre>
 * layers.0.weight   [out, in]   layer 0's weight (PyTorch's nn.Linear layout, row-major)
 * layers.0.bias     [out]
 * layers.1.weight   ...
 * layers.1.running_mean  [C]  a layer's buffers (BatchNorm's running statistics), PyTorch's names;
 * layers.1.running_var   [C]  num_batches_tracked is a float scalar [] here (PyTorch: int64)
 * layers.1.num_batches_tracked []
 * optimizer.momentum_buffer   [n]   one flat tensor per optimizer buffer, over all n parameters,
 * optimizer.exp_avg           [n]   with PyTorch's buffer names
 * </pre>
 *
 * In PyTorch, {@code sd = safetensors.torch.load_file(".../model.safetensors")} then
 * {@code net.load_state_dict({k: v for k, v in sd.items() if k.startswith("layers.")})} loads the
 * weights into a module whose {@code nn.Linear} layers sit in an {@code nn.ModuleList} named
 * {@code layers}. The optimizer step count is not a tensor: keep it in the checkpoint's state map.
 */
public final class ModelTensors {

    /** Prefix of optimizer buffer tensors. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";

    private ModelTensors() {}

    /** Name of layer {@code i}'s weight tensor. */
    public static String weightName(int layer) {
        return "layers." + layer + ".weight";
    }

    /** Name of layer {@code i}'s bias tensor. */
    public static String biasName(int layer) {
        return "layers." + layer + ".bias";
    }

    /** The names of the model's parameter tensors, in flat-buffer order (its layers' declared parameters). */
    public static List<String> names(Sequential model) {
        return model.parameters().stream().map(Sequential.Slot::name).toList();
    }

    /**
     * The model's parameters as tensors (copies of slices of {@code params}), layer by layer, weight
     * then bias: the same order as in the flat buffer.
     *
     * @throws IllegalArgumentException if params does not have {@code model.parameterCount()} elements
     */
    public static List<Tensor> parameters(Sequential model, float[] params) {
        requireLength("parameter buffer", params.length, model.parameterCount(), model);
        List<Tensor> out = new ArrayList<>(model.parameters().size());
        for (Sequential.Slot t : model.parameters())
            out.add(Tensor.of(t.name(), Arrays.copyOfRange(params, t.offset(), t.end()), t.shape()));
        return out;
    }

    /**
     * Copies the model's parameters from a checkpoint's tensors into {@code params}, after checking
     * that every layer's tensors exist with the model's shapes. Nothing is copied unless all match.
     *
     * @throws CheckpointException if a tensor is missing or of another shape (the checkpoint is of a
     *     different model), naming the file, the tensor and both shapes
     */
    public static void loadParameters(SafeTensorsFile file, Sequential model, float[] params)
            throws CheckpointException {
        requireLength("parameter buffer", params.length, model.parameterCount(), model);
        List<float[]> found = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Sequential.Slot t : model.parameters()) {
            found.add(requireFinite(file, t, model, file.requireShape(t.name(), t.shape())));
            names.add(t.name());
        }
        for (Sequential.Slot t : model.buffers()) names.add(t.name());
        String extra = file.tensors().keySet().stream()
                .filter(n -> n.startsWith("layers.") && !names.contains(n))
                .findFirst()
                .orElse(null);
        if (extra != null)
            throw new CheckpointException(
                    file.file(),
                    "has tensor '" + extra + "' but the model has "
                            + model.layers().size() + " layers; the checkpoint is of a different model");
        for (int i = 0; i < found.size(); i++) {
            Sequential.Slot t = model.parameters().get(i);
            System.arraycopy(found.get(i), 0, params, t.offset(), t.size());
        }
    }

    /**
     * The model's buffers (running statistics) as tensors named like PyTorch's ({@code
     * layers.1.running_mean}), copies of slices of {@code buffers}; none for most models.
     *
     * @throws IllegalArgumentException if buffers does not have {@code model.bufferCount()} elements
     */
    public static List<Tensor> buffers(Sequential model, float[] buffers) {
        if (buffers.length != model.bufferCount())
            throw new IllegalArgumentException(
                    "buffer array has " + buffers.length + " elements, model " + model + " has " + model.bufferCount());
        List<Tensor> out = new ArrayList<>(model.buffers().size());
        for (Sequential.Slot t : model.buffers())
            out.add(Tensor.of(t.name(), Arrays.copyOfRange(buffers, t.offset(), t.end()), t.shape()));
        return out;
    }

    /**
     * Copies the model's buffers from a checkpoint's tensors into {@code buffers}, after checking
     * that every one exists with the model's shape and holds finite values. Nothing is copied unless
     * all do.
     *
     * @throws CheckpointException naming the file, the tensor and its layer
     */
    public static void loadBuffers(SafeTensorsFile file, Sequential model, float[] buffers) throws CheckpointException {
        if (buffers.length != model.bufferCount())
            throw new IllegalArgumentException(
                    "buffer array has " + buffers.length + " elements, model " + model + " has " + model.bufferCount());
        List<float[]> found = new ArrayList<>();
        for (Sequential.Slot t : model.buffers())
            found.add(requireFinite(file, t, model, file.requireShape(t.name(), t.shape())));
        for (int i = 0; i < found.size(); i++) {
            Sequential.Slot t = model.buffers().get(i);
            System.arraycopy(found.get(i), 0, buffers, t.offset(), t.size());
        }
    }

    /**
     * The data of tensor {@code t} of a model, after checking it is finite.
     *
     * @throws CheckpointException naming the file, the tensor, its layer, the element and the value
     */
    private static float[] requireFinite(SafeTensorsFile file, Sequential.Slot t, Sequential model, float[] data)
            throws CheckpointException {
        for (int i = 0; i < data.length; i++)
            if (!Float.isFinite(data[i])) {
                int dot = t.name().indexOf('.', "layers.".length());
                String layer = t.name().substring(0, dot);
                int index = Integer.parseInt(layer.substring("layers.".length()));
                throw new CheckpointException(
                        file.file(),
                        "tensor '" + t.name() + "' of layer " + layer + " ("
                                + model.layers().get(index).kind() + ") holds " + data[i] + " at element " + i
                                + "; nothing was loaded");
            }
        return data;
    }

    /** The optimizer's buffers as flat tensors {@code optimizer.<buffer>} of shape {@code [n]} (copies). */
    public static List<Tensor> optimizer(OptimizerState state) {
        List<Tensor> out = new ArrayList<>();
        for (var e : state.buffers().entrySet())
            out.add(Tensor.of(OPTIMIZER_PREFIX + e.getKey(), e.getValue().clone(), state.size()));
        return out;
    }

    /**
     * Copies the optimizer's buffers from a checkpoint's tensors into {@code state}: the file must hold
     * exactly the state's buffers (same names, shape {@code [n]}), so that resuming with another
     * optimizer is an error rather than a silent restart of its moments. The step count is not
     * touched (it lives in the state map; set it with {@link OptimizerState#setStep}).
     *
     * @throws CheckpointException if the buffer names or sizes differ
     */
    public static void loadOptimizer(SafeTensorsFile file, OptimizerState state) throws CheckpointException {
        Set<String> have = new TreeSet<>();
        for (String n : file.tensors().keySet())
            if (n.startsWith(OPTIMIZER_PREFIX)) have.add(n.substring(OPTIMIZER_PREFIX.length()));
        Set<String> want = new TreeSet<>(state.buffers().keySet());
        if (!have.equals(want))
            throw new CheckpointException(
                    file.file(),
                    "has optimizer buffers " + have + ", expected " + want
                            + "; the checkpoint was written with another optimizer");
        List<float[]> found = new ArrayList<>();
        for (String n : state.buffers().keySet()) found.add(file.requireShape(OPTIMIZER_PREFIX + n, state.size()));
        int i = 0;
        for (float[] dst : state.buffers().values()) System.arraycopy(found.get(i++), 0, dst, 0, state.size());
    }

    private static void requireLength(String what, int length, int expected, Sequential model) {
        if (length != expected)
            throw new IllegalArgumentException(
                    what + " has " + length + " elements, model " + model + " has " + expected + " parameters");
    }
}
