package dev.descent.examples;

import dev.descent.train.History;
import java.util.ArrayList;
import java.util.List;

/**
 * Curves from a training run's {@link History}, for the examples that compare runs: the minibatch
 * loss averaged over windows of a fixed number of samples (so runs with different batch sizes get
 * points at the same samples seen), and training time without the per-epoch validation.
 */
final class RunCurves {
    private RunCurves() {}

    /**
     * The mean minibatch training loss over consecutive windows of about {@code window} samples.
     *
     * @param samples samples seen at the end of each window
     * @param loss mean step loss over the window, weighted by the steps' rows
     * @param seconds training seconds at the end of the window (validation time taken out)
     */
    record Windowed(double[] samples, double[] loss, double[] seconds) {
        int size() {
            return samples.length;
        }

        double last() {
            return loss[loss.length - 1];
        }

        /** The first window whose loss is at or below {@code target}, or -1. */
        int firstAtOrBelow(double target) {
            for (int i = 0; i < loss.length; i++) if (loss[i] <= target) return i;
            return -1;
        }
    }

    /**
     * Windows of {@code window} samples (the last window of the run may be shorter) over a run on
     * {@code rows} training rows in batches of {@code batch} (one step per batch, the last batch of
     * an epoch smaller).
     */
    static Windowed windowed(History h, int rows, int batch, long window) {
        int perEpoch = (rows + batch - 1) / batch;
        double[] stepSeconds = stepTrainingSeconds(h);
        List<double[]> out = new ArrayList<>();
        long seen = 0, inWindow = 0;
        double sum = 0;
        List<History.Step> steps = h.steps();
        for (int i = 0; i < steps.size(); i++) {
            History.Step s = steps.get(i);
            int k = (int) (s.step() % perEpoch);
            int n = Math.min(batch, rows - k * batch);
            sum += s.loss() * n;
            inWindow += n;
            seen += n;
            if (inWindow >= window || i == steps.size() - 1) {
                out.add(new double[] {seen, sum / inWindow, stepSeconds[i]});
                sum = 0;
                inWindow = 0;
            }
        }
        double[] x = new double[out.size()], y = new double[out.size()], t = new double[out.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = out.get(i)[0];
            y[i] = out.get(i)[1];
            t[i] = out.get(i)[2];
        }
        return new Windowed(x, y, t);
    }

    /**
     * Each step's wall-clock seconds since training started, less the time spent evaluating the
     * validation set at the end of the epochs before it (the trainer's clock includes it).
     */
    static double[] stepTrainingSeconds(History h) {
        List<History.Step> steps = h.steps();
        double[] out = new double[steps.size()];
        double[] evalBefore = evaluationSecondsBefore(h);
        for (int i = 0; i < out.length; i++) {
            History.Step s = steps.get(i);
            out[i] = s.seconds() - evalBefore[s.epoch() - 1];
        }
        return out;
    }

    /** Each epoch's training seconds at its end, without validation time (this epoch's or earlier). */
    static double[] epochTrainingSeconds(History h) {
        List<History.Epoch> epochs = h.epochs();
        double[] out = new double[epochs.size()];
        double[] evalBefore = evaluationSecondsBefore(h);
        for (int e = 0; e < out.length; e++) out[e] = lastStepSeconds(h, e + 1) - evalBefore[e];
        return out;
    }

    /** [e]: validation seconds spent at the ends of epochs 1..e (so [0] = 0). */
    private static double[] evaluationSecondsBefore(History h) {
        List<History.Epoch> epochs = h.epochs();
        double[] out = new double[epochs.size() + 1];
        for (int e = 0; e < epochs.size(); e++)
            out[e + 1] = out[e] + Math.max(0, epochs.get(e).seconds() - lastStepSeconds(h, e + 1));
        return out;
    }

    /** The mean loss of {@code params} over {@code data} (e.g. at the initial parameters). */
    static double loss(
            dev.descent.backend.Backend backend,
            dev.descent.model.Sequential model,
            dev.descent.loss.Loss loss,
            float[] params,
            dev.descent.data.Dataset data) {
        float[] out = model.forward(backend, params, data.x(), data.rows(), model.workspace(data.rows()));
        return loss.value(out, 0, data.y(), 0, data.rows(), model.outputs());
    }

    private static double lastStepSeconds(History h, int epoch) {
        double t = 0;
        for (History.Step s : h.steps()) if (s.epoch() == epoch) t = s.seconds();
        return t;
    }
}
