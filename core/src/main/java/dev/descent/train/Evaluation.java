package dev.descent.train;

import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.metric.MetricTracker;

/**
 * A model's loss and metrics over a whole data set. Accuracy is measured as the loss's {@link
 * Loss#accuracy()} says (softmax cross-entropy, NLL: arg-max; binary cross-entropy with logits:
 * logit > 0 vs target 1; hinge: sign), RMSE for the others; the metric that does not apply is NaN.
 *
 * @param loss the loss over all rows (as if they were one batch)
 * @param accuracy fraction of rows predicted correctly, or NaN
 * @param rmse root mean squared error of the outputs against the targets, or NaN
 * @param rows rows evaluated
 */
public record Evaluation(double loss, double accuracy, double rmse, int rows) {

    private static final int CHUNK = 1024;

    /** Evaluates the session's current parameters on {@code data}; reads nothing else, changes nothing. */
    public static Evaluation of(TrainingSession session, Dataset data) {
        return of(session, data, null);
    }

    /**
     * {@link #of(TrainingSession, Dataset)}, also adding every chunk's outputs and targets to {@code
     * metrics} (null for none; not reset here).
     */
    public static Evaluation of(TrainingSession session, Dataset data, MetricTracker metrics) {
        Loss loss = session.loss();
        int f = data.features(), t = data.targetWidth(), k = session.model().outputs(), n = data.rows();
        if (f != session.model().inputs())
            throw new IllegalArgumentException("data set '" + data.name() + "' has " + f + " features, the model "
                    + session.model() + " takes " + session.model().inputs());
        boolean classIndex = loss.classIndexTargets();
        Loss.Accuracy accuracyRule = loss.accuracy();
        boolean accuracyApplies = accuracyRule != Loss.Accuracy.NONE;
        int chunk = Math.min(CHUNK, n);
        float[] x = new float[chunk * f], y = new float[chunk * t], out = new float[chunk * k];
        double lossSum = 0, squares = 0;
        long correct = 0;
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            System.arraycopy(data.x(), start * f, x, 0, rows * f);
            System.arraycopy(data.y(), start * t, y, 0, rows * t);
            session.predict(x, rows, out);
            if (metrics != null) metrics.add(out, y, rows);
            double v = loss.value(out, 0, y, 0, rows, k);
            lossSum += loss.reduction() != Loss.Reduction.SUM ? v * rows : v;
            for (int r = 0; r < rows; r++) {
                if (classIndex) {
                    if (accuracyRule == Loss.Accuracy.ARGMAX && argMax(out, r * k, k) == (int) y[r]) correct++;
                } else {
                    for (int c = 0; c < k; c++) {
                        double p = out[r * k + c], target = y[r * t + c];
                        squares += (p - target) * (p - target);
                        if (accuracyApplies && (p > 0) == (target > (accuracyRule == Loss.Accuracy.SIGN ? 0 : 0.5)))
                            correct++;
                    }
                }
            }
        }
        double meanLoss = loss.reduction() != Loss.Reduction.SUM ? lossSum / n : lossSum;
        double accuracy = accuracyApplies ? (double) correct / (classIndex ? n : (long) n * k) : Double.NaN;
        double rmse = classIndex ? Double.NaN : Math.sqrt(squares / ((long) n * k));
        if (accuracyApplies) rmse = Double.NaN;
        return new Evaluation(meanLoss, accuracy, rmse, n);
    }

    private static int argMax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }
}
