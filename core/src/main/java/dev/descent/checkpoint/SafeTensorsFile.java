package dev.descent.checkpoint;

import dev.descent.checkpoint.SafeTensors.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The content of a safetensors file as {@link SafeTensors#read} found it.
 *
 * @param file the file it was read from (for messages)
 * @param tensors the tensors by name, in the order of their data in the file (read-only map)
 * @param metadata the {@code __metadata__} strings, empty if the file has none (read-only map)
 * @param sha256 the SHA-256 of the whole file as read, in lower-case hex (a checkpoint compares it with
 *     the one recorded when it was written)
 */
public record SafeTensorsFile(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, String sha256) {

    public SafeTensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * The named tensor.
     *
     * @throws CheckpointException naming the file and the tensors it has, if there is none of that name
     */
    public Tensor tensor(String name) throws CheckpointException {
        Tensor t = tensors.get(name);
        if (t == null)
            throw new CheckpointException(
                    file, "has no tensor '" + name + "'; it has " + SafeTensors.names(tensors.keySet()));
        return t;
    }

    /**
     * The data of the named tensor, after checking that it has exactly the expected shape: the
     * check to make before copying a checkpoint's weights into a model, e.g.
     * {@code requireShape("layers.0.weight", 10, 784)}.
     *
     * @return the tensor's data (the array itself, not a copy)
     * @throws CheckpointException if the tensor is missing or has another shape, e.g.
     *     {@code model.safetensors: tensor 'layers.0.weight' has shape [10, 784], expected [10, 785]}
     */
    public float[] requireShape(String name, int... shape) throws CheckpointException {
        Tensor t = tensor(name);
        if (!Arrays.equals(t.shape(), shape))
            throw new CheckpointException(
                    file,
                    "tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                            + Arrays.toString(shape) + "; the checkpoint is of a different model");
        return t.data();
    }
}
