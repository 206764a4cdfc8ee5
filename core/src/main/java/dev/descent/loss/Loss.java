package dev.descent.loss;

import java.util.Locale;
import java.util.regex.Matcher;

/**
 * A loss over a batch of predictions {@code pred[rows×cols]} (row-major) and its gradient with
 * respect to the predictions: the open seam for losses. A new loss is one class implementing this
 * interface (plus its tests); the trainer, the evaluation and the backends read only what is
 * declared here: the {@link #reduction()}, whether targets are {@link #classIndexTargets() class
 * indices}, how {@link #accuracy() accuracy} is read from the predictions, and {@link
 * #valueAndGradient}.
 *
 * <p>The built-ins follow PyTorch's definitions exactly and accumulate values in double:
 *
 * <ul>
 *   <li>{@link #mse()}, {@link #l1()}, {@link #smoothL1(double)}, {@link #huber(double)}, {@link
 *       #hinge()}, {@link #bceWithLogits()} ({@link BceWithLogits#posWeight(double...)}):
 *       {@code rows×cols} real targets, one term per element;
 *   <li>{@link #softmaxCrossEntropy()} ({@link SoftmaxCrossEntropy#labelSmoothing(double)}, {@link
 *       SoftmaxCrossEntropy#classWeights(double...)}) and {@link #nll()} (on log-probabilities):
 *       one class index per row;
 *   <li>{@link #klDiv()}: log-probabilities against probability (or log-probability) targets.
 * </ul>
 *
 * <p><b>Weighted means.</b> {@link Reduction#MEAN} divides the (weighted) sum of the terms by the
 * sum of the weights of the terms, as PyTorch does: by {@code rows·cols} for element-wise losses,
 * by {@code Σᵢ w[yᵢ]} for class-weighted cross-entropy and NLL (N without class weights). With
 * per-sample weights {@code sᵢ} (one per row, {@code Dataset.withSampleWeights}) row i's terms are
 * multiplied by {@code sᵢ} and the divisor becomes {@code cols·Σᵢ sᵢ}, {@code Σᵢ sᵢ·w[yᵢ]} or
 * {@code Σᵢ sᵢ} (batchmean) respectively: with all weights 1 it is the plain mean. All weights zero
 * give NaN, as in PyTorch.
 *
 * <p>A loss is {@link java.io.Serializable} so that data-parallel training (the spark module) can
 * ship it to the workers: the built-ins are records of numbers; a user-written loss should be too.
 */
public interface Loss extends java.io.Serializable {

    /** How per-element losses combine into one number. */
    enum Reduction {
        /** The weighted sum divided by the sum of the weights (the number of terms when unweighted). */
        MEAN,
        /** The weighted sum of the terms. */
        SUM,
        /** The sum divided by the number of rows (PyTorch's {@code batchmean}; kl_div's proper mean). */
        BATCHMEAN
    }

    /** How {@code Evaluation} reads accuracy from a batch of predictions. */
    enum Accuracy {
        /** The arg-max column of a row is its predicted class (class-index targets). */
        ARGMAX,
        /** A logit above 0 predicts a target above 0.5 (0/1 targets, element by element). */
        POSITIVE_LOGIT,
        /** A positive prediction predicts a positive target (±1 targets, element by element). */
        SIGN,
        /** No accuracy: the evaluation reports RMSE instead. */
        NONE
    }

    /** The reduction; {@link Reduction#MEAN} unless the loss says otherwise. */
    default Reduction reduction() {
        return Reduction.MEAN;
    }

    /**
     * This loss with reduction r. The built-ins support all three; a loss that supports only its
     * own reduction may keep this default.
     *
     * @throws IllegalArgumentException if this loss cannot reduce with r
     */
    default Loss reduction(Reduction r) {
        if (r == reduction()) return this;
        throw new IllegalArgumentException(this + " does not support reduction " + r);
    }

    /** This loss summed rather than averaged. */
    default Loss sum() {
        return reduction(Reduction.SUM);
    }

    /** Whether targets are class indices (one per row) rather than {@code rows×cols} values. */
    default boolean classIndexTargets() {
        return false;
    }

    /** How accuracy is read from the predictions; {@link Accuracy#NONE} by default. */
    default Accuracy accuracy() {
        return Accuracy.NONE;
    }

    /**
     * Checks that this loss fits a model with {@code cols} outputs (e.g. one class weight per
     * column); called when training is set up. Reads nothing else.
     *
     * @throws IllegalArgumentException naming the option and both sizes
     */
    default void checkColumns(int cols) {}

    /**
     * The loss of a batch and, when {@code grad} is not null, its gradient {@code dL/dpred}.
     *
     * <p>Reads {@code pred[predOff ..+rows·cols)} and {@code target[targetOff ..)} ({@code rows}
     * class indices or {@code rows·cols} values); overwrites {@code grad[gradOff ..+rows·cols)},
     * scaled by {@code gradScale} (1 for the plain gradient; the trainer passes a batch's share when
     * it accumulates micro-batches).
     *
     * @throws IllegalArgumentException if a class index is outside {@code [0, cols)}
     */
    double valueAndGradient(
            float[] pred,
            int predOff,
            float[] target,
            int targetOff,
            int rows,
            int cols,
            float[] grad,
            int gradOff,
            float gradScale);

    /**
     * {@link #valueAndGradient(float[], int, float[], int, int, int, float[], int, float) The same}
     * with one weight per row, {@code sampleWeights[weightOff ..+rows)} (null: all 1); the weighted
     * reductions are those of the {@link Loss class comment}. Reads the weights, changes nothing
     * else than {@code grad}. This default accepts only null weights.
     *
     * @throws IllegalArgumentException if weights are given and this loss does not take them
     */
    default double valueAndGradient(
            float[] pred,
            int predOff,
            float[] target,
            int targetOff,
            float[] sampleWeights,
            int weightOff,
            int rows,
            int cols,
            float[] grad,
            int gradOff,
            float gradScale) {
        if (sampleWeights != null)
            throw new IllegalArgumentException("loss " + this + " does not support per-sample weights");
        return valueAndGradient(pred, predOff, target, targetOff, rows, cols, grad, gradOff, gradScale);
    }

    /** The loss of a batch, without its gradient. */
    default double value(float[] pred, int predOff, float[] target, int targetOff, int rows, int cols) {
        return valueAndGradient(pred, predOff, target, targetOff, rows, cols, null, 0, 1f);
    }

    // ---- the built-ins -----------------------------------------------------------------------

    /** Mean squared error {@code (p-t)²} (MSELoss). */
    static MeanSquaredError mse() {
        return new MeanSquaredError(Reduction.MEAN);
    }

    /** Absolute error {@code |p-t|} (L1Loss). */
    static L1 l1() {
        return new L1(Reduction.MEAN);
    }

    /** {@code 0.5·d²/β} below β, {@code |d| - β/2} above (SmoothL1Loss); β = 0 is {@link #l1()}. */
    static SmoothL1 smoothL1(double beta) {
        return new SmoothL1(Reduction.MEAN, beta);
    }

    /** {@code 0.5·d²} below δ, {@code δ·(|d| - δ/2)} above (HuberLoss). */
    static Huber huber(double delta) {
        return new Huber(Reduction.MEAN, delta);
    }

    /** {@code max(0, 1 - t·p)} with targets ±1. */
    static Hinge hinge() {
        return new Hinge(Reduction.MEAN);
    }

    /** Binary cross-entropy on logits, stable form (BCEWithLogitsLoss); targets in [0, 1]. */
    static BceWithLogits bceWithLogits() {
        return new BceWithLogits(Reduction.MEAN, null);
    }

    /** Softmax followed by the negative log-likelihood of the target class (CrossEntropyLoss). */
    static SoftmaxCrossEntropy softmaxCrossEntropy() {
        return new SoftmaxCrossEntropy(Reduction.MEAN, 0, null);
    }

    /** Negative log-likelihood of the target class on log-probabilities (NLLLoss). */
    static Nll nll() {
        return new Nll(Reduction.MEAN, null);
    }

    /** KL divergence {@code p·(log p - x)} on log-probabilities x, batchmean (KLDivLoss). */
    static KlDivergence klDiv() {
        return new KlDivergence(Reduction.BATCHMEAN, false);
    }

    /**
     * The loss named as in reference files and on the command line: "mse", "l1", "smooth_l1"
     * (or "smooth_l1(beta=0.5)"), "huber" (or "huber(delta=1)"), "hinge",
     * "binary_cross_entropy_with_logits" (or "bce_with_logits"), "softmax_cross_entropy" (or
     * "cross_entropy"), "nll", "kl_div". Options other than β and δ are set on the result.
     *
     * @throws IllegalArgumentException naming the unknown loss and the known ones
     */
    static Loss named(String name, Reduction reduction) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        double param = Double.NaN;
        Matcher m = Weights.NAME_WITH_OPTION.matcher(n);
        if (m.matches()) {
            String expected = m.group(1).equals("huber") ? "delta" : m.group(1).equals("smooth_l1") ? "beta" : null;
            if (!m.group(2).equals(expected))
                throw new IllegalArgumentException("loss '" + name + "' has no option " + m.group(2));
            param = Double.parseDouble(m.group(3));
            n = m.group(1);
        }
        if (n.startsWith("hinge")) n = "hinge";
        Loss loss =
                switch (n) {
                    case "mse", "mean_squared_error" -> mse();
                    case "l1", "mae" -> l1();
                    case "smooth_l1" -> smoothL1(Double.isNaN(param) ? 1.0 : param);
                    case "huber" -> huber(Double.isNaN(param) ? 1.0 : param);
                    case "hinge" -> hinge();
                    case "binary_cross_entropy_with_logits", "bce_with_logits", "bce" -> bceWithLogits();
                    case "softmax_cross_entropy", "cross_entropy" -> softmaxCrossEntropy();
                    case "nll" -> nll();
                    case "kl_div", "kl_divergence" -> klDiv();
                    default ->
                        throw new IllegalArgumentException("unknown loss '" + name + "' (expected mse, l1,"
                                + " smooth_l1(beta=…), huber(delta=…), hinge, binary_cross_entropy_with_logits,"
                                + " softmax_cross_entropy, nll, kl_div)");
                };
        return loss.reduction(reduction);
    }
}
