package dev.descent.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.backend.Activation;
import dev.descent.checkpoint.SafeTensors.Tensor;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model and optimizer state through a checkpoint and back, as the trainer will use it. */
class ModelTensorsTest {

    @TempDir
    Path root;

    static final Sequential MODEL =
            Models.mlp(4).dense(3, Activation.RELU).dense(2).build();

    @Test
    void parametersAreNamedAndShapedLikeAPyTorchStateDict() {
        float[] params = new float[MODEL.parameterCount()];
        for (int i = 0; i < params.length; i++) params[i] = i;
        List<Tensor> t = ModelTensors.parameters(MODEL, params);
        assertEquals(
                List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"),
                t.stream().map(Tensor::name).toList());
        assertArrayEquals(new int[] {3, 4}, t.get(0).shape());
        assertArrayEquals(new int[] {3}, t.get(1).shape());
        assertArrayEquals(new int[] {2, 3}, t.get(2).shape());
        assertArrayEquals(new int[] {2}, t.get(3).shape());
        float[] flat = new float[0];
        for (Tensor x : t) {
            float[] joined = Arrays.copyOf(flat, flat.length + x.size());
            System.arraycopy(x.data(), 0, joined, flat.length, x.size());
            flat = joined;
        }
        assertArrayEquals(params, flat, "the tensors are the flat buffer in order");
    }

    @Test
    void modelAndOptimizerStateSurviveACheckpoint() throws IOException {
        float[] params = MODEL.initialParameters(42);
        OptimizerState opt = Optimizers.adam(0.01).newState(MODEL.parameterCount());
        SplittableRandom r = new SplittableRandom(3);
        for (float[] b : opt.buffers().values()) for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        opt.setStep(17);
        List<Tensor> tensors = new ArrayList<>(ModelTensors.parameters(MODEL, params));
        tensors.addAll(ModelTensors.optimizer(opt));
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, tensors, Map.of("optimizer_step", opt.step()));

        Checkpoint c = Checkpoint.read(dir);
        float[] params2 = new float[MODEL.parameterCount()];
        ModelTensors.loadParameters(c.model(), MODEL, params2);
        OptimizerState opt2 = Optimizers.adam(0.01).newState(MODEL.parameterCount());
        ModelTensors.loadOptimizer(c.model(), opt2);
        opt2.setStep(c.stateLong("optimizer_step"));
        assertArrayEquals(params, params2);
        assertEquals(opt.buffers().keySet(), opt2.buffers().keySet());
        for (String n : opt.buffers().keySet()) assertArrayEquals(opt.buffer(n), opt2.buffer(n), n);
        assertEquals(17, opt2.step());
    }

    @Test
    void anotherModelOrOptimizerIsAClearErrorAndCopiesNothing() throws IOException {
        float[] params = MODEL.initialParameters(1);
        OptimizerState opt = Optimizers.adam(0.01).newState(MODEL.parameterCount());
        List<Tensor> tensors = new ArrayList<>(ModelTensors.parameters(MODEL, params));
        tensors.addAll(ModelTensors.optimizer(opt));
        Checkpoint.write(root.resolve("ckpt"), tensors, Map.of());
        SafeTensorsFile f = Checkpoint.read(root.resolve("ckpt")).model();

        Sequential wider = Models.mlp(4).dense(5, Activation.RELU).dense(2).build();
        float[] dst = new float[wider.parameterCount()];
        var e = assertThrows(CheckpointException.class, () -> ModelTensors.loadParameters(f, wider, dst));
        assertEquals(
                f.file() + ": tensor 'layers.0.weight' has shape [3, 4], expected [5, 4]; "
                        + "the checkpoint is of a different model",
                e.getMessage());
        assertArrayEquals(new float[wider.parameterCount()], dst, "nothing copied");

        Sequential shallower = Models.mlp(4).dense(3).build();
        e = assertThrows(
                CheckpointException.class,
                () -> ModelTensors.loadParameters(f, shallower, new float[shallower.parameterCount()]));
        assertEquals(
                f.file() + ": has tensor 'layers.1.weight' but the model has 1 layers; "
                        + "the checkpoint is of a different model",
                e.getMessage());

        OptimizerState sgd = Optimizers.sgd(0.1).momentum(0.9).newState(MODEL.parameterCount());
        e = assertThrows(CheckpointException.class, () -> ModelTensors.loadOptimizer(f, sgd));
        assertEquals(
                f.file() + ": has optimizer buffers [exp_avg, exp_avg_sq], expected [momentum_buffer]; "
                        + "the checkpoint was written with another optimizer",
                e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> ModelTensors.parameters(MODEL, new float[3]));
    }

    @Test
    void buffersRoundTripAndANonFiniteTensorLoadsNothing(@TempDir Path root) throws IOException {
        Sequential bn = Models.sequential(3).dense(4).batchNorm().dense(2).build();
        float[] params = bn.initialParameters(1), buffers = bn.initialBuffers();
        for (int i = 0; i < buffers.length; i++) buffers[i] += 0.25f * i;
        List<Tensor> tensors = new ArrayList<>(ModelTensors.parameters(bn, params));
        tensors.addAll(ModelTensors.buffers(bn, buffers));
        assertEquals(
                List.of("layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked"),
                tensors.subList(6, 9).stream().map(Tensor::name).toList());
        Checkpoint.write(root.resolve("ok"), tensors, Map.of());
        Checkpoint c = Checkpoint.read(root.resolve("ok"));
        float[] p2 = new float[params.length], b2 = new float[buffers.length];
        ModelTensors.loadParameters(c.model(), bn, p2);
        ModelTensors.loadBuffers(c.model(), bn, b2);
        assertArrayEquals(params, p2);
        assertArrayEquals(buffers, b2);

        float[] bad = buffers.clone();
        bad[5] = Float.NaN; // running_var[1]
        tensors = new ArrayList<>(ModelTensors.parameters(bn, params));
        tensors.addAll(ModelTensors.buffers(bn, bad));
        Checkpoint.write(root.resolve("bad"), tensors, Map.of());
        var f = Checkpoint.read(root.resolve("bad")).model();
        float[] dst = new float[buffers.length];
        var e = assertThrows(CheckpointException.class, () -> ModelTensors.loadBuffers(f, bn, dst));
        assertEquals(
                f.file() + ": tensor 'layers.1.running_var' of layer layers.1 (batch_norm) holds NaN at element 1;"
                        + " nothing was loaded",
                e.getMessage());
        assertArrayEquals(new float[buffers.length], dst, "nothing applied");
    }
}
