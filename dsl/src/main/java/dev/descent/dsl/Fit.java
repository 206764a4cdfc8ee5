package dev.descent.dsl;

import dev.descent.backend.Backend;
import dev.descent.data.Dataset;
import dev.descent.model.Sequential;
import dev.descent.train.Evaluation;
import dev.descent.train.History;
import dev.descent.train.TrainingResult;

/**
 * What {@link TrainingSpec#fit} returns: the trained model and parameters, the history, why training
 * stopped, and how long it took. {@link #result()} is core's {@link TrainingResult} underneath.
 */
public final class Fit {
    private final TrainingSpec spec;
    private final TrainingResult result;
    private final double wallSeconds;

    Fit(TrainingSpec spec, TrainingResult result, double wallSeconds) {
        this.spec = spec;
        this.result = result;
        this.wallSeconds = wallSeconds;
    }

    /** The spec that trained. */
    public TrainingSpec spec() {
        return spec;
    }

    /** Core's result (model, loss, parameters, history, stop reason, backend). */
    public TrainingResult result() {
        return result;
    }

    public Sequential model() {
        return result.model();
    }

    /** A copy of the trained parameters (one flat buffer, layer by layer, weight then bias). */
    public float[] parameters() {
        return result.parameters().clone();
    }

    public History history() {
        return result.history();
    }

    public TrainingResult.StopReason stopReason() {
        return result.stopReason();
    }

    /** A sentence saying which epoch and why training ended. */
    public String stopDetail() {
        return result.stopDetail();
    }

    /** The backend that trained. */
    public Backend backend() {
        return result.backend();
    }

    /** Training-loop seconds (from the first step to the end of the last epoch). */
    public double seconds() {
        return result.seconds();
    }

    /** Seconds {@code fit} took in all, including backend start-up and session set-up. */
    public double wallSeconds() {
        return wallSeconds;
    }

    /** Training rows processed per second of the training loop (0 if no epoch ended). */
    public double samplesPerSecond() {
        History.Epoch last = history().lastEpoch();
        return last == null || last.seconds() <= 0 ? 0 : last.samples() / last.seconds();
    }

    /** Loss and metrics of the trained parameters on {@code data}. */
    public Evaluation evaluate(Dataset data) {
        return result.evaluate(data);
    }

    /** Fraction of {@code data}'s rows classified correctly (NaN for a regression loss). */
    public double accuracy(Dataset data) {
        return evaluate(data).accuracy();
    }

    /** The model's outputs for {@code x[rows×inputs]}, as {@code rows×outputs} floats. */
    public float[] predict(float[] x, int rows) {
        float[] out = new float[rows * model().outputs()];
        result.predict(x, rows, out);
        return out;
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "Fit[%s on %s, %s, %.2f s, %.0f samples/s]",
                result.stopReason(),
                result.backend().name(),
                stopDetail(),
                seconds(),
                samplesPerSecond());
    }
}
