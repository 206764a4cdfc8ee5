package dev.descent.metric;

/**
 * The built-in {@link Metric metrics}. Class-index targets (softmax cross-entropy) predict the
 * arg-max class; one output column (a logistic output trained with binary cross-entropy on logits,
 * or hinge) predicts positive when the output is above a threshold, 0 by default (the logit of
 * probability 0.5; give 0.5 for a model trained with MSE on 0/1 targets), and a target is positive
 * when it is above 0.5 (so 0/1 and ±1 targets both work).
 *
 * <table>
 *   <caption>Built-in metrics</caption>
 *   <tr><th>factory</th><th>name</th><th>better</th><th>applies to</th></tr>
 *   <tr><td>{@link #accuracy()}</td><td>accuracy</td><td>higher</td><td>class labels, 0/1 columns</td></tr>
 *   <tr><td>{@link #topK(int)}</td><td>top{k}_accuracy</td><td>higher</td><td>class labels</td></tr>
 *   <tr><td>{@link #precision()}, {@link #recall()}, {@link #f1()}</td><td>precision, recall,
 *       f1</td><td>higher</td><td>two classes or one output column</td></tr>
 *   <tr><td>{@link #precisionMacro()}, {@link #recallMacro()}, {@link #f1Macro()}</td>
 *       <td>precision_macro, recall_macro, f1_macro</td><td>higher</td><td>class labels, one output column</td></tr>
 *   <tr><td>{@link #auc()}</td><td>auc</td><td>higher</td><td>two classes or one output column</td></tr>
 *   <tr><td>{@link #rmse()}, {@link #mae()}</td><td>rmse, mae</td><td>lower</td><td>real-valued targets</td></tr>
 * </table>
 */
public final class Metrics {
    private Metrics() {}

    /** Fraction of correct predictions (per element for several output columns); threshold 0. */
    public static Metric accuracy() {
        return new Accuracy(0);
    }

    /** {@link #accuracy()} deciding "positive" when an output is above {@code threshold}. */
    public static Metric accuracy(double threshold) {
        return new Accuracy(threshold);
    }

    /** Fraction of rows whose class is among the k highest outputs (ties count in), {@code k >= 1}. */
    public static Metric topK(int k) {
        return new TopKAccuracy(k);
    }

    /** Binary precision of class 1 (one output column: output above 0), as sklearn's {@code precision_score}. */
    public static Metric precision() {
        return precision(1, 0);
    }

    /** Binary precision of {@code positiveClass}, deciding on one output column at {@code threshold}. */
    public static Metric precision(int positiveClass, double threshold) {
        return ConfusionMetric.binary(ConfusionMetric.Score.PRECISION, positiveClass, threshold);
    }

    /** Binary recall of class 1. */
    public static Metric recall() {
        return recall(1, 0);
    }

    public static Metric recall(int positiveClass, double threshold) {
        return ConfusionMetric.binary(ConfusionMetric.Score.RECALL, positiveClass, threshold);
    }

    /** Binary F1 of class 1. */
    public static Metric f1() {
        return f1(1, 0);
    }

    public static Metric f1(int positiveClass, double threshold) {
        return ConfusionMetric.binary(ConfusionMetric.Score.F1, positiveClass, threshold);
    }

    /** Unweighted mean of the per-class precisions ({@code average='macro'}). */
    public static Metric precisionMacro() {
        return ConfusionMetric.macro(ConfusionMetric.Score.PRECISION, 0);
    }

    public static Metric recallMacro() {
        return ConfusionMetric.macro(ConfusionMetric.Score.RECALL, 0);
    }

    /** Unweighted mean of the per-class F1 scores ({@code f1_score(average='macro')}). */
    public static Metric f1Macro() {
        return ConfusionMetric.macro(ConfusionMetric.Score.F1, 0);
    }

    /** {@link #f1Macro()} for one output column decided at {@code threshold}. */
    public static Metric f1Macro(double threshold) {
        return ConfusionMetric.macro(ConfusionMetric.Score.F1, threshold);
    }

    /** Area under the ROC curve of a binary model, as sklearn's {@code roc_auc_score}; see {@link RocAuc}. */
    public static Metric auc() {
        return new RocAuc();
    }

    /** Root mean squared error over every output of every row. */
    public static Metric rmse() {
        return new RegressionError(RegressionError.Kind.RMSE);
    }

    /** Mean absolute error over every output of every row. */
    public static Metric mae() {
        return new RegressionError(RegressionError.Kind.MAE);
    }
}
