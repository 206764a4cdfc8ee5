package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;

/**
 * The outcome of {@link Trainer#fit}: the trained parameters of the model, what was recorded, and
 * why training ended.
 *
 * @param parameters the final parameters (the best epoch's when early stopping restored them)
 * @param buffers the model's final buffers (running statistics; empty for most models), those of the
 *     same parameters
 * @param stopReason why training ended
 * @param stopDetail a sentence saying which epoch and why, for logs
 * @param backend the backend that trained (its name says which device)
 */
public record TrainingResult(
        Sequential model,
        Loss loss,
        float[] parameters,
        float[] buffers,
        History history,
        StopReason stopReason,
        String stopDetail,
        Backend backend) {

    /** A result whose model has its initial buffers (models without buffers: none). */
    public TrainingResult(
            Sequential model,
            Loss loss,
            float[] parameters,
            History history,
            StopReason stopReason,
            String stopDetail,
            Backend backend) {
        this(model, loss, parameters, model.initialBuffers(), history, stopReason, stopDetail, backend);
    }

    /** Why training ended. */
    public enum StopReason {
        /** All configured epochs ran. */
        COMPLETED,
        /** Early stopping ran out of patience. */
        EARLY_STOPPED,
        /** A callback threw {@link StopTraining}. */
        STOPPED_BY_CALLBACK,
        /** The loss or gradient diverged (see {@link TrainingDivergedException}). */
        DIVERGED
    }

    /** Loss and metrics of the trained parameters on {@code data}, computed on the training backend. */
    public Evaluation evaluate(Dataset data) {
        try (TrainingSession s = openSession()) {
            return Evaluation.of(s, data);
        }
    }

    /** Writes the model's outputs for {@code x[rows×inputs]} into {@code out[rows×outputs]}. */
    public void predict(float[] x, int rows, float[] out) {
        try (TrainingSession s = openSession()) {
            s.predict(x, rows, out);
        }
    }

    /** Wall-clock seconds the run took (0 if no epoch ended). */
    public double seconds() {
        History.Epoch last = history.lastEpoch();
        return last == null ? 0 : last.seconds();
    }

    private TrainingSession openSession() {
        TrainingSession s = TrainingSession.open(backend, model, loss, dev.descent.optim.Optimizers.sgd(0), parameters);
        if (buffers.length > 0) s.writeBuffers(buffers);
        return s;
    }
}
