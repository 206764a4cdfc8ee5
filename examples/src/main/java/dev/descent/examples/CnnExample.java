package dev.descent.examples;

import dev.descent.backend.Activation;
import dev.descent.data.Split;
import dev.descent.dsl.Fit;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A small convolutional network on MNIST-10k: conv 5×5×16 → ReLU → max-pool 2 → conv 5×5×32 → ReLU
 * → max-pool 2 → flatten → dense 10, trained with SGD + momentum and a warmup + cosine schedule;
 * the same outputs as {@code mnist}.
 */
@Command(
        name = "cnn",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Trains a small CNN on the embedded MNIST-10k digits (8,000 train / 2,000 test): conv 5×5×16 → ReLU →"
                    + " max-pool 2 → conv 5×5×32 → ReLU → max-pool 2 → flatten → dense 10, with SGD + momentum,"
                    + " batches of 64 and a warmup + cosine learning-rate schedule, validating on the test split"
                    + " after every epoch.",
            "Writes training.png, lr.png, misclassified.png, epochs.csv, steps.csv and a checkpoint"
                    + " (checkpoint/model.safetensors + state.json, after every epoch), as mnist does.",
            "Runs on every backend: scalar, simd and gpu (the device session runs the convolutions and pools as"
                    + " OpenCL kernels)."
        })
public final class CnnExample extends DigitsCommand {

    @Mixin
    CommonOptions common = CommonOptions.defaults(6, 64, 0.05);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--overwrite", description = "Let this run replace the checkpoint of another run found in --out.")
    boolean overwrite;

    /** The network, over 1×28×28 images. */
    public static Sequential model() {
        return Models.image(1, 28, 28) // rows of 784 floats, NCHW
                .conv2d(16, 5) // → [16, 24, 24]
                .activation(Activation.RELU)
                .maxPool2d(2) // → [16, 12, 12]
                .conv2d(32, 5) // → [32, 8, 8]
                .activation(Activation.RELU)
                .maxPool2d(2) // → [32, 4, 4]
                .flatten() // → [512]
                .dense(10)
                .build();
    }

    /** Trains and evaluates; writes the checkpoint into {@code checkpoints} after every epoch. */
    public static MnistExample.Result compute(
            Split split,
            double lr,
            double momentum,
            int batchSize,
            int epochs,
            long seed,
            String backend,
            boolean progress,
            Path checkpoints,
            boolean overwrite) {
        return MnistExample.compute(
                model(),
                "cnn trains on 28×28 images: the data must have 784 features and 2 to 10 classes",
                split,
                lr,
                momentum,
                false,
                batchSize,
                epochs,
                seed,
                backend,
                progress,
                checkpoints,
                overwrite,
                null);
    }

    @Override
    String command() {
        return "cnn";
    }

    @Override
    CommonOptions common() {
        return common;
    }

    @Override
    DataOption data() {
        return data;
    }

    @Override
    MnistExample.Result train(Split split, Path dir, Path checkpoint) {
        return compute(
                split,
                common.lr(),
                momentum,
                common.batchSize(),
                common.epochs(),
                common.seed(),
                common.backendName(),
                progress,
                checkpoint,
                overwrite);
    }

    @Override
    String describeModel(Fit fit) {
        return String.valueOf(fit.model());
    }
}
