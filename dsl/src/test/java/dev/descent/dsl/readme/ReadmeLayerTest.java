package dev.descent.dsl.readme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.layers.Swish;
import dev.descent.backend.Activation;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Digits;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.GradientCheck;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's user-written layer ({@link Swish}, one file): its gradient check, then training on digits. */
class ReadmeLayerTest {

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void swishPassesItsGradientCheckAndTrainsOnDigits(String backend) {
        // README:begin swish-check
        for (var b : List.of(new ScalarBackend(), new SimdBackend()))
            GradientCheck.of(new Swish(6), 6).run(b).assertPassed(); // ∂/∂input and ∂/∂beta

        Fit fit = Descent.train(
                        Models.sequential(64).dense(32).add(new Swish(32)).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.05).momentum(0.9))
                .batchSize(32)
                .epochs(8)
                .seed(42)
                .backend(backend) // "scalar" or "simd"
                .fit(Digits.train(), Digits.test());
        // README:end
        assertTrue(fit.accuracy(Digits.test()) > 0.93, backend + ": test accuracy " + fit.accuracy(Digits.test()));
        assertEquals(
                "layers.1.beta", fit.model().parameters().get(2).name(), "the layer's parameter, named in checkpoints");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void aSplitActivationTrainsLikeTheFusedOne(String backend) {
        Fit fused = fit(Models.mlp(64).dense(32, Activation.RELU).dense(10), backend);
        Fit split =
                fit(Models.sequential(64).dense(32).activation(Activation.RELU).dense(10), backend);
        assertArrayEquals(fused.parameters(), split.parameters(), backend);
    }

    private static Fit fit(Sequential.Builder model, String backend) {
        return Descent.train(model)
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(0.05).momentum(0.9))
                .batchSize(32)
                .epochs(2)
                .seed(42)
                .backend(backend)
                .fit(Digits.train(), Digits.test());
    }
}
