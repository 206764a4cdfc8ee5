package dev.descent.loss;

import java.util.Locale;

/**
 * A loss over a batch of predictions {@code pred[rows×cols]} (row-major) and its gradient with
 * respect to the predictions. Targets are {@code rows×cols} real values, except for {@link
 * Kind#SOFTMAX_CROSS_ENTROPY}, whose targets are one class index per row. Values accumulate in
 * double; {@link Reduction#MEAN} divides by the number of rows for cross-entropy and by the number
 * of elements otherwise, exactly as PyTorch does.
 *
 * @param delta the Huber threshold (ignored by the other kinds)
 */
public record Loss(Kind kind, Reduction reduction, double delta) {

    /** The losses Descent computes. */
    public enum Kind {
        /** Mean squared error, {@code (p-t)²}. */
        MSE,
        /** Softmax followed by negative log-likelihood of the target class index (PyTorch CrossEntropyLoss). */
        SOFTMAX_CROSS_ENTROPY,
        /** {@code -[t·log σ(x) + (1-t)·log(1-σ(x))]} on logits x, stable form (BCEWithLogitsLoss). */
        BCE_WITH_LOGITS,
        /** Huber (smooth L1 scaled by delta): quadratic below delta, linear above. */
        HUBER,
        /** Hinge {@code max(0, 1 - t·p)} with targets ±1. */
        HINGE
    }

    /** How per-element losses combine into one number. */
    public enum Reduction {
        MEAN,
        SUM
    }

    public Loss {
        if (kind == null) throw new IllegalArgumentException("loss kind must not be null");
        if (reduction == null) throw new IllegalArgumentException("loss reduction must not be null");
        if (kind == Kind.HUBER && !(delta > 0))
            throw new IllegalArgumentException("huber delta must be > 0, got " + delta);
    }

    public static Loss mse() {
        return new Loss(Kind.MSE, Reduction.MEAN, 0);
    }

    public static Loss softmaxCrossEntropy() {
        return new Loss(Kind.SOFTMAX_CROSS_ENTROPY, Reduction.MEAN, 0);
    }

    public static Loss bceWithLogits() {
        return new Loss(Kind.BCE_WITH_LOGITS, Reduction.MEAN, 0);
    }

    public static Loss huber(double delta) {
        return new Loss(Kind.HUBER, Reduction.MEAN, delta);
    }

    public static Loss hinge() {
        return new Loss(Kind.HINGE, Reduction.MEAN, 0);
    }

    /** This loss with the given reduction. */
    public Loss reduction(Reduction r) {
        return new Loss(kind, r, delta);
    }

    /** This loss summed rather than averaged. */
    public Loss sum() {
        return reduction(Reduction.SUM);
    }

    /** Whether targets are class indices (one per row) rather than {@code rows×cols} values. */
    public boolean classIndexTargets() {
        return kind == Kind.SOFTMAX_CROSS_ENTROPY;
    }

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
    public double valueAndGradient(
            float[] pred,
            int predOff,
            float[] target,
            int targetOff,
            int rows,
            int cols,
            float[] grad,
            int gradOff,
            float gradScale) {
        int count = kind == Kind.SOFTMAX_CROSS_ENTROPY ? rows : rows * cols;
        double norm = reduction == Reduction.MEAN ? 1.0 / count : 1.0;
        float g = (float) (norm * gradScale);
        double total = 0;
        switch (kind) {
            case MSE -> {
                for (int i = 0; i < rows * cols; i++) {
                    float d = pred[predOff + i] - target[targetOff + i];
                    total += (double) d * d;
                    if (grad != null) grad[gradOff + i] = 2f * d * g;
                }
            }
            case SOFTMAX_CROSS_ENTROPY -> {
                for (int r = 0; r < rows; r++) {
                    int o = predOff + r * cols;
                    float t = target[targetOff + r];
                    int cls = (int) t;
                    if (cls != t || cls < 0 || cls >= cols)
                        throw new IllegalArgumentException(
                                "class index " + t + " in row " + r + " is outside [0, " + cols + ")");
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < cols; j++) max = Math.max(max, pred[o + j]);
                    double sum = 0;
                    for (int j = 0; j < cols; j++) sum += Math.exp(pred[o + j] - max);
                    double logSum = Math.log(sum) + max;
                    total += logSum - pred[o + cls];
                    if (grad != null) {
                        int go = gradOff + r * cols;
                        for (int j = 0; j < cols; j++) {
                            double p = Math.exp(pred[o + j] - logSum);
                            grad[go + j] = (float) ((j == cls ? p - 1 : p) * norm * gradScale);
                        }
                    }
                }
            }
            case BCE_WITH_LOGITS -> {
                for (int i = 0; i < rows * cols; i++) {
                    double x = pred[predOff + i];
                    double t = target[targetOff + i];
                    total += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
                    if (grad != null) grad[gradOff + i] = (float) ((sigmoid(x) - t) * norm * gradScale);
                }
            }
            case HUBER -> {
                for (int i = 0; i < rows * cols; i++) {
                    double d = (double) pred[predOff + i] - target[targetOff + i];
                    double a = Math.abs(d);
                    total += a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
                    if (grad != null)
                        grad[gradOff + i] = (float) ((a <= delta ? d : delta * Math.signum(d)) * norm * gradScale);
                }
            }
            case HINGE -> {
                for (int i = 0; i < rows * cols; i++) {
                    double t = target[targetOff + i];
                    double margin = 1 - t * pred[predOff + i];
                    total += Math.max(0, margin);
                    if (grad != null) grad[gradOff + i] = margin > 0 ? (float) (-t * norm * gradScale) : 0f;
                }
            }
        }
        return total * norm;
    }

    /** The loss of a batch, without its gradient. */
    public double value(float[] pred, int predOff, float[] target, int targetOff, int rows, int cols) {
        return valueAndGradient(pred, predOff, target, targetOff, rows, cols, null, 0, 1f);
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /**
     * The loss named as in reference files and on the command line: "mse", "softmax_cross_entropy"
     * (or "cross_entropy"), "binary_cross_entropy_with_logits" (or "bce_with_logits"),
     * "huber(delta=1)" (or "huber"), "hinge".
     */
    public static Loss named(String name, Reduction reduction) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        double huberDelta = 1.0;
        var m = java.util.regex.Pattern.compile("huber\\s*\\(\\s*delta\\s*=\\s*([0-9.eE+-]+)\\s*\\)")
                .matcher(n);
        if (m.matches()) {
            huberDelta = Double.parseDouble(m.group(1));
            n = "huber";
        }
        if (n.startsWith("hinge")) n = "hinge";
        Kind k =
                switch (n) {
                    case "mse", "mean_squared_error" -> Kind.MSE;
                    case "softmax_cross_entropy", "cross_entropy" -> Kind.SOFTMAX_CROSS_ENTROPY;
                    case "binary_cross_entropy_with_logits", "bce_with_logits", "bce" -> Kind.BCE_WITH_LOGITS;
                    case "huber" -> Kind.HUBER;
                    case "hinge" -> Kind.HINGE;
                    default ->
                        throw new IllegalArgumentException(
                                "unknown loss '" + name
                                        + "' (expected mse, softmax_cross_entropy, binary_cross_entropy_with_logits, huber(delta=…), hinge)");
                };
        return new Loss(k, reduction, k == Kind.HUBER ? huberDelta : 0);
    }

    @Override
    public String toString() {
        String n = kind.name().toLowerCase(Locale.ROOT);
        if (kind == Kind.HUBER) n += "(delta=" + delta + ")";
        return n + (reduction == Reduction.SUM ? ", sum" : "");
    }
}
