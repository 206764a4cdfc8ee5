package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.backend.Activation;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.Clipping;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The loss kernels added with the open {@link Loss} interface (l1, smooth_l1 through the Huber
 * kernel, nll, kl_div, batchmean) against the CPU session, with {@link
 * OpenClTrainingSessionTest#matchesTheCpuSession}'s sequence and tolerance; and a loss without a
 * device kernel fails when the session opens, naming the loss and the backend.
 */
@RequiresOpenCl
class DeviceLossTest {

    static Stream<Loss> deviceLosses() {
        return Stream.of(
                Loss.l1(),
                Loss.smoothL1(0.5),
                Loss.smoothL1(0.5).sum(),
                Loss.smoothL1(0),
                Loss.nll(),
                Loss.nll().sum(),
                Loss.klDiv(),
                Loss.klDiv().logTarget(true).sum(),
                Loss.mse().reduction(Loss.Reduction.BATCHMEAN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deviceLosses")
    void matchesTheCpuSession(Loss loss) {
        new OpenClTrainingSessionTest()
                .matchesTheCpuSession(Optimizers.sgd(0.1).momentum(0.9), loss, Activation.TANH, Clipping.byNorm(0.1));
    }

    static Stream<Loss> hostOnlyLosses() {
        return Stream.of(
                Loss.softmaxCrossEntropy().labelSmoothing(0.1),
                Loss.softmaxCrossEntropy().classWeights(1, 2, 3),
                Loss.nll().classWeights(1, 2, 3),
                Loss.bceWithLogits().posWeight(1, 2, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostOnlyLosses")
    void aLossWithoutKernelFailsNamingLossAndBackend(Loss loss) {
        Sequential model = OpenClTrainingSessionTest.model(Activation.TANH);
        OpenClBackend gpu = OpenClBackend.create();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> gpu.openSession(model, loss, Optimizers.sgd(0.1), model.initialParameters(1)));
        assertEquals(
                "the gpu backend has no device kernel for loss " + loss + " (kernels: mse, l1, smooth_l1, huber, hinge,"
                        + " binary_cross_entropy_with_logits without pos_weight, softmax_cross_entropy without label"
                        + " smoothing or class weights, nll without class weights, kl_div); use the simd or scalar"
                        + " backend",
                e.getMessage());
    }

    @Test
    void aUserWrittenLossFailsOnTheDevice() {
        Loss custom = new Loss() {
            @Override
            public double valueAndGradient(
                    float[] p, int po, float[] t, int to, int rows, int cols, float[] g, int go, float s) {
                return 0;
            }

            @Override
            public String toString() {
                return "my_loss";
            }
        };
        Sequential model = OpenClTrainingSessionTest.model(Activation.TANH);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpenClBackend.create()
                .openSession(model, custom, Optimizers.sgd(0.1), model.initialParameters(1)));
        assertEquals(true, e.getMessage().startsWith("the gpu backend has no device kernel for loss my_loss"));
    }
}
