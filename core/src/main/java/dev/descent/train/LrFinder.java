package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import java.util.Arrays;

/**
 * The learning-rate range test (Leslie Smith, "Cyclical Learning Rates", 2017): train from the
 * initial parameters while the learning rate grows exponentially from {@code minLr} to {@code maxLr},
 * one step per batch, record the loss, and stop once the smoothed loss exceeds {@code
 * divergeFactor ×} its best. The suggested rate is where the smoothed loss falls fastest against
 * log(lr). The model's parameters outside this run are not touched: it opens a session of its own.
 *
 * @param minLr the first learning rate, {@code > 0}
 * @param maxLr the last, {@code > minLr}
 * @param steps rates tried (one optimizer step each), {@code >= 5}
 * @param smoothing β of the bias-corrected exponential moving average of the loss, in [0, 1)
 * @param divergeFactor stop when the smoothed loss exceeds this many times its minimum, {@code > 1}
 */
public record LrFinder(double minLr, double maxLr, int steps, double smoothing, double divergeFactor) {

    public LrFinder {
        if (!(minLr > 0) || Double.isInfinite(minLr))
            throw new IllegalArgumentException("lr finder minLr must be finite and > 0, got " + minLr);
        if (!(maxLr > minLr) || Double.isInfinite(maxLr))
            throw new IllegalArgumentException(
                    "lr finder maxLr must be finite and > minLr " + minLr + ", got " + maxLr);
        if (steps < 5) throw new IllegalArgumentException("lr finder steps must be >= 5, got " + steps);
        if (!(smoothing >= 0 && smoothing < 1))
            throw new IllegalArgumentException("lr finder smoothing must be in [0, 1), got " + smoothing);
        if (!(divergeFactor > 1))
            throw new IllegalArgumentException("lr finder divergeFactor must be > 1, got " + divergeFactor);
    }

    /** From 1e-7 to 10 in 100 steps, smoothing 0.98, stop at 4× the best smoothed loss (fastai's defaults). */
    public static LrFinder defaults() {
        return new LrFinder(1e-7, 10, 100, 0.98, 4);
    }

    public LrFinder withRange(double minLr, double maxLr) {
        return new LrFinder(minLr, maxLr, steps, smoothing, divergeFactor);
    }

    public LrFinder withSteps(int steps) {
        return new LrFinder(minLr, maxLr, steps, smoothing, divergeFactor);
    }

    /**
     * The curve: {@code lrs[i]}, the raw batch {@code losses[i]} and the {@code smoothed[i]} loss of
     * every step taken, and the suggested learning rate.
     *
     * @param diverged whether the sweep stopped early because the loss blew up
     */
    public record Curve(double[] lrs, double[] losses, double[] smoothed, double suggestedLr, boolean diverged) {

        /** Steps taken. */
        public int size() {
            return lrs.length;
        }
    }

    /** The learning rate of sweep step {@code i}: {@code minLr·(maxLr/minLr)^(i/(steps-1))}. */
    public double lrAt(int i) {
        return minLr * Math.pow(maxLr / minLr, (double) i / (steps - 1));
    }

    /**
     * Runs the sweep with batches of {@code batchSize} rows of {@code train}, shuffled from {@code seed}
     * (epochs repeat as needed), starting from {@code initialParameters} (not modified).
     */
    public Curve run(
            Backend backend,
            Sequential model,
            Loss loss,
            Optimizer optimizer,
            Dataset train,
            int batchSize,
            long seed,
            float[] initialParameters) {
        Batches batches = new Batches(train, batchSize, seed);
        Batch batch = batches.newBatch();
        double[] lrs = new double[steps], losses = new double[steps], smoothed = new double[steps];
        double avg = 0, best = Double.POSITIVE_INFINITY;
        int n = 0;
        boolean diverged = false;
        try (TrainingSession s = TrainingSession.open(backend, model, loss, optimizer, initialParameters)) {
            for (long epoch = 0; n < steps && !diverged; epoch++) {
                batches.startEpoch(epoch);
                while (n < steps && batches.next(batch)) {
                    double lr = lrAt(n);
                    double value = s.accumulate(batch.x(), batch.y(), batch.rows(), 1f);
                    avg = smoothing * avg + (1 - smoothing) * value;
                    double sm = avg / (1 - Math.pow(smoothing, n + 1));
                    lrs[n] = lr;
                    losses[n] = value;
                    smoothed[n] = sm;
                    n++;
                    if (!Double.isFinite(sm) || sm > divergeFactor * best) {
                        diverged = true;
                        break;
                    }
                    best = Math.min(best, sm);
                    double norm = s.clip(Clipping.NONE);
                    if (!Double.isFinite(norm)) {
                        diverged = true;
                        break;
                    }
                    s.step(lr);
                }
            }
        }
        lrs = Arrays.copyOf(lrs, n);
        losses = Arrays.copyOf(losses, n);
        smoothed = Arrays.copyOf(smoothed, n);
        return new Curve(lrs, losses, smoothed, suggest(lrs, smoothed, diverged), diverged);
    }

    /**
     * The rate where the smoothed loss falls fastest against log(lr): the most negative central
     * difference, over the points before the loss has risen past its minimum and not counting the
     * first tenth (where the moving average is still warming up).
     */
    static double suggest(double[] lrs, double[] smoothed, boolean diverged) {
        int end = smoothed.length - (diverged ? 1 : 0);
        int argMin = 0;
        for (int i = 1; i < end; i++) if (smoothed[i] < smoothed[argMin]) argMin = i;
        int from = Math.max(1, end / 10), to = Math.min(argMin, end - 2);
        if (to < from) return lrs[Math.max(0, argMin)] / 10;
        int best = from;
        double steepest = Double.POSITIVE_INFINITY;
        for (int i = from; i <= to; i++) {
            double slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i - 1]));
            if (slope < steepest) {
                steepest = slope;
                best = i;
            }
        }
        return lrs[best];
    }
}
