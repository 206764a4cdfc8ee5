package dev.descent.gpu;

import dev.descent.loss.BceWithLogits;
import dev.descent.loss.Hinge;
import dev.descent.loss.Huber;
import dev.descent.loss.KlDivergence;
import dev.descent.loss.L1;
import dev.descent.loss.Loss;
import dev.descent.loss.MeanSquaredError;
import dev.descent.loss.Nll;
import dev.descent.loss.SmoothL1;
import dev.descent.loss.SoftmaxCrossEntropy;

/**
 * The device kernel of a loss: {@code kind} (a {@code DescentKernel.LOSS_} constant) and its
 * parameter (the Huber threshold). The losses with a kernel: mse, l1, smooth_l1 (with β > 0 as a
 * Huber kernel scaled by 1/β: the kernel's loss term times 1/β is smooth L1's), huber, hinge,
 * binary cross-entropy with logits (no pos_weight), softmax cross-entropy (no label smoothing or
 * class weights), nll (no class weights) and kl_div; any other fails when the session opens.
 */
record DeviceLoss(int kind, float param, double scale) {

    /**
     * The kernel for {@code loss} on the backend named {@code backend}.
     *
     * @throws IllegalArgumentException naming the loss and the backend when there is none
     */
    static DeviceLoss of(Loss loss, String backend) {
        if (loss instanceof MeanSquaredError) return new DeviceLoss(DescentKernel.LOSS_MSE, 0f, 1);
        if (loss instanceof L1) return new DeviceLoss(DescentKernel.LOSS_L1, 0f, 1);
        if (loss instanceof SmoothL1 s)
            return s.beta() == 0
                    ? new DeviceLoss(DescentKernel.LOSS_L1, 0f, 1)
                    : new DeviceLoss(DescentKernel.LOSS_HUBER, (float) s.beta(), 1 / s.beta());
        if (loss instanceof Huber h) return new DeviceLoss(DescentKernel.LOSS_HUBER, (float) h.delta(), 1);
        if (loss instanceof Hinge) return new DeviceLoss(DescentKernel.LOSS_HINGE, 0f, 1);
        if (loss instanceof BceWithLogits b && b.posWeight() == null)
            return new DeviceLoss(DescentKernel.LOSS_BCE_WITH_LOGITS, 0f, 1);
        if (loss instanceof SoftmaxCrossEntropy ce && ce.labelSmoothing() == 0 && ce.classWeights() == null)
            return new DeviceLoss(DescentKernel.LOSS_SOFTMAX_CE, 0f, 1);
        if (loss instanceof Nll n && n.classWeights() == null) return new DeviceLoss(DescentKernel.LOSS_NLL, 0f, 1);
        if (loss instanceof KlDivergence kl)
            return new DeviceLoss(
                    kl.logTarget() ? DescentKernel.LOSS_KL_DIV_LOG_TARGET : DescentKernel.LOSS_KL_DIV, 0f, 1);
        throw new IllegalArgumentException("the " + backend + " backend has no device kernel for loss " + loss
                + " (kernels: mse, l1, smooth_l1, huber, hinge, binary_cross_entropy_with_logits without pos_weight,"
                + " softmax_cross_entropy without label smoothing or class weights, nll without class weights,"
                + " kl_div); use the simd or scalar backend");
    }

    /**
     * The factor the sum of the kernel's terms is multiplied by: the reduction's (1/terms for mean,
     * 1/rows for batchmean, 1 for sum) times {@link #scale()}.
     */
    double norm(Loss.Reduction reduction, int rows, int terms) {
        double r =
                switch (reduction) {
                    case MEAN -> 1.0 / terms;
                    case BATCHMEAN -> 1.0 / rows;
                    case SUM -> 1.0;
                };
        return r * scale;
    }
}
