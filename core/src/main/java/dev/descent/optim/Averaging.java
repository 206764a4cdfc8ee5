package dev.descent.optim;

import dev.descent.backend.Backend;

/**
 * Iterate averaging (PyTorch's {@code torch.optim.swa_utils.AveragedModel}): an average of the
 * parameters after each optimizer step, kept beside them, that evaluation, checkpoints and the final
 * model can use instead. Configuration here, state in {@link State}.
 *
 * <ul>
 *   <li>{@link #ema(double) ema(decay)}: {@code avg ← decay·avg + (1-decay)·p} after every step; the
 *       first update copies p (as AveragedModel's first {@code update_parameters}).
 *   <li>{@link #swa(long) swa(startStep)}: the plain mean of the parameters after steps {@code
 *       startStep, startStep+1, ...}; no average before (pair it with {@code Schedules.swalr}).
 *   <li>{@link #polyak()}: Polyak–Ruppert averaging, the mean of every iterate ({@code swa(0)}).
 * </ul>
 */
public sealed interface Averaging {

    /** The exponential moving average with {@code decay} in [0, 1]. */
    static Averaging ema(double decay) {
        return new Ema(decay);
    }

    /** The plain mean of the parameters after every step from {@code startStep} (0-based) on. */
    static Averaging swa(long startStep) {
        return new Swa(startStep);
    }

    /** The plain mean of every iterate: {@code swa(0)}. */
    static Averaging polyak() {
        return new Swa(0);
    }

    /**
     * Folds the parameters after optimizer step {@code step} (0-based) into the average. Reads
     * params, overwrites the state's average; allocates nothing.
     */
    void update(Backend backend, float[] params, State state, long step);

    /** A fresh state for {@code size} parameters: no average yet. */
    default State newState(int size) {
        return new State(new float[size]);
    }

    /** EMA: {@code avg ← decay·avg + (1-decay)·p}, the first update a copy. */
    record Ema(double decay) implements Averaging {
        public Ema {
            Optimizer.checkRange("decay", decay, 0, 1, true);
        }

        @Override
        public void update(Backend backend, float[] params, State s, long step) {
            if (s.count == 0) backend.copy(params, 0, s.average, 0, s.average.length);
            else backend.axpby(s.average, (float) decay, s.average, (float) (1 - decay), params, 0, s.average.length);
            s.count++;
        }
    }

    /** SWA: {@code avg ← avg + (p - avg)/(n+1)} after every step from {@code startStep} on. */
    record Swa(long startStep) implements Averaging {
        public Swa {
            if (startStep < 0) throw new IllegalArgumentException("swa start step must be >= 0, got " + startStep);
        }

        @Override
        public void update(Backend backend, float[] params, State s, long step) {
            if (step < startStep) return;
            double w = 1.0 / (s.count + 1);
            backend.axpby(s.average, (float) (1 - w), s.average, (float) w, params, 0, s.average.length);
            s.count++;
        }
    }

    /** The average and how many iterates it holds (0: no average yet). */
    final class State {
        private final float[] average;
        private long count;

        State(float[] average) {
            this.average = average;
        }

        /** The average (live: do not modify), meaningful once {@link #count()} > 0. */
        public float[] average() {
            return average;
        }

        /** How many updates the average holds; 0 before the first. */
        public long count() {
            return count;
        }

        /** Restores a state (from a checkpoint): the average and its count. */
        public void restore(float[] average, long count) {
            if (average.length != this.average.length)
                throw new IllegalArgumentException(
                        "averaged parameters have " + average.length + " values, expected " + this.average.length);
            if (count < 0) throw new IllegalArgumentException("averaged count must be >= 0, got " + count);
            System.arraycopy(average, 0, this.average, 0, average.length);
            this.count = count;
        }
    }
}
