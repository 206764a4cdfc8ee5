/**
 * Checkpoints: saving and resuming training without Java serialization.
 *
 * <ul>
 *   <li>{@link dev.descent.checkpoint.Checkpoint}: a checkpoint directory {@code DIR/} holding
 *       {@code model.safetensors} (named float32 tensors) and {@code state.json} (everything else),
 *       replaced atomically: at every moment the old or the new complete checkpoint exists.
 *   <li>{@link dev.descent.checkpoint.SafeTensors}: the Hugging Face safetensors format (F32), readable
 *       by PyTorch with {@code safetensors.torch.load_file}; {@link
 *       dev.descent.checkpoint.SafeTensorsFile} is what a read returns, with {@code requireShape}.
 *   <li>{@link dev.descent.checkpoint.ModelTensors}: a {@code Sequential}'s flat parameters and an
 *       {@code OptimizerState}'s buffers as {@code layers.i.weight [out, in]}, {@code layers.i.bias
 *       [out]}, {@code optimizer.<buffer> [n]}, and back, with shape checks.
 *   <li>{@link dev.descent.checkpoint.Json}: a small strict JSON reader/writer over Map/List/String/
 *       Long/Double/Boolean/null ({@link dev.descent.checkpoint.JsonException} with line:column).
 * </ul>
 *
 * <p>Errors: every problem with a file's content (missing, truncated, corrupt, another model's shape,
 * another optimizer) is a {@link dev.descent.checkpoint.CheckpointException}, a checked {@code
 * IOException} whose message names the file and what was expected. Invalid arguments to a writer
 * throw {@code IllegalArgumentException} before anything is written.
 *
 * <p>A trainer saves and resumes like this:
 *
 * <pre>{@code
 * List<Tensor> tensors = new ArrayList<>(ModelTensors.parameters(model, params));
 * tensors.addAll(ModelTensors.optimizer(optState));
 * Checkpoint.write(dir, tensors, Map.of("step", step, "epoch", epoch, "seed", seed,
 *         "optimizer_step", optState.step(), "history", history));
 *
 * Checkpoint c = Checkpoint.read(dir);
 * ModelTensors.loadParameters(c.model(), model, params);   // checks every shape first
 * ModelTensors.loadOptimizer(c.model(), optState);          // checks the buffer names
 * optState.setStep(c.stateLong("optimizer_step"));
 * long step = c.stateLong("step");
 * }</pre>
 */
package dev.descent.checkpoint;
