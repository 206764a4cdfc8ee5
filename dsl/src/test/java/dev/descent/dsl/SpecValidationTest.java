package dev.descent.dsl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A spec that makes no sense fails at build (or, for the data, at fit) with a message naming field and value. */
class SpecValidationTest {

    private static TrainingBuilder valid() {
        return Descent.train(Models.mlp(64).dense(16, Activation.RELU).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1))
                .backend("scalar")
                .progressBar(false);
    }

    private static void fails(Executable e, String... parts) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) assertTrue(x.getMessage().contains(p), "'" + x.getMessage() + "' should name " + p);
    }

    @Test
    void batchSizeZero() {
        fails(() -> valid().batchSize(0).build(), "batchSize", "0");
    }

    @Test
    void epochsAndAccumulation() {
        fails(() -> valid().epochs(-1).build(), "epochs", "-1");
        fails(() -> valid().accumulation(0).build(), "accumulation", "0");
    }

    @Test
    void negativeLearningRate() {
        fails(() -> valid().lr(-0.1).build(), "lr", "-0.1");
        fails(() -> valid().lr(Double.NaN).build(), "lr", "NaN");
        fails(() -> Optimizers.sgd(-0.1), "learning rate", "-0.1");
        fails(() -> valid().schedule(step -> -2).build(), "schedule", "-2");
        fails(() -> Schedules.constant(-2), "value", "-2");
    }

    @Test
    void missingLossModelOrOptimizer() {
        fails(() -> valid().loss(null).build(), "loss", "missing");
        fails(
                () -> Descent.train()
                        .loss(Loss.mse())
                        .optimizer(Optimizers.sgd(0.1))
                        .build(),
                "model",
                "missing");
        fails(() -> valid().optimizer(null).build(), "optimizer", "missing");
    }

    @Test
    void modelWithoutLayers() {
        fails(() -> valid().model(Models.mlp(64)).build(), "model", "at least one layer (dense(...)");
    }

    @Test
    void absoluteLrAndScheduleTogether() {
        fails(
                () -> valid().lr(Schedules.cosine(100))
                        .schedule(Schedules.warmup(10))
                        .build(),
                "lr",
                "schedule");
    }

    @Test
    void unknownBackend() {
        fails(() -> valid().backend("cuda").build(), "backend", "'cuda'");
    }

    @Test
    void gpuWithoutTheGpuModuleFailsAtFitSayingWhatToAdd() {
        TrainingSpec spec = valid().backend("gpu").build(); // a valid name; descent-gpu may be missing
        if (dev.descent.backend.Backends.providers().stream()
                .noneMatch(p -> p.name().equals("gpu"))) fails(() -> spec.fit(Digits.train()), "gpu", "descent-gpu");
    }

    @Test
    void layerWidthThatDoesNotMatchTheDataAtFit() {
        TrainingSpec spec = Descent.train(
                        Models.mlp(784).dense(16, Activation.RELU).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.1))
                .progressBar(false)
                .build();
        fails(() -> spec.fit(Digits.train()), "input width is 784", "64 features", "digits");
        fails(() -> valid().build().fit(Digits.train(), fiveFeatures()), "validation set 'five'", "5 features");
    }

    private static dev.descent.data.Dataset fiveFeatures() {
        return dev.descent.data.Dataset.classification("five", new float[5], 5, new int[] {1}, 10);
    }

    @Test
    void wrongInitialParameters() {
        fails(() -> valid().build().fit(Digits.train(), null, new float[3]), "initialParameters", "3");
    }
}
