package dev.descent.schedule;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The built-in schedule shapes, one record each: the parameters are checked when a record is made,
 * {@code at} is the formula. Users reach them through {@link Schedules}; the formulas follow
 * PyTorch's closed forms (see {@code shared/reference/README.md}).
 */
final class Curves {

    private Curves() {}

    record Constant(double value) implements Schedule {
        Constant {
            Check.nonNegative("value", value);
        }

        @Override
        public double at(long step) {
            Check.step(step);
            return value;
        }
    }

    /** {@code gamma^floor(t / stepSize)} (StepLR). */
    record StepDecay(long stepSize, double gamma) implements Schedule {
        StepDecay {
            Check.positive("stepSize", stepSize);
            Check.positive("gamma", gamma);
        }

        @Override
        public double at(long step) {
            return Math.pow(gamma, Check.step(step) / stepSize);
        }
    }

    /** {@code gamma^(number of milestones <= t)} (MultiStepLR; a repeated milestone counts twice). */
    record MultiStep(long[] milestones, double gamma) implements Schedule {
        MultiStep {
            Check.notNull("milestones", milestones);
            milestones = milestones.clone();
            Arrays.sort(milestones);
            if (milestones.length > 0) Check.nonNegative("milestone", milestones[0]);
            Check.positive("gamma", gamma);
        }

        @Override
        public double at(long step) {
            Check.step(step);
            int lo = 0, hi = milestones.length; // count milestones <= step
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (milestones[mid] <= step) lo = mid + 1;
                else hi = mid;
            }
            return Math.pow(gamma, lo);
        }

        @Override
        public long[] milestones() {
            return milestones.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MultiStep m && Arrays.equals(milestones, m.milestones) && gamma == m.gamma;
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(milestones) + Double.hashCode(gamma);
        }

        @Override
        public String toString() {
            return "MultiStep[milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + "]";
        }
    }

    /** {@code gamma^t} (ExponentialLR). */
    record Exponential(double gamma) implements Schedule {
        Exponential {
            Check.positive("gamma", gamma);
        }

        @Override
        public double at(long step) {
            return Math.pow(gamma, Check.step(step));
        }
    }

    /** {@code 1/(1 + beta·t)}. */
    record Inverse(double beta) implements Schedule {
        Inverse {
            Check.nonNegative("beta", beta);
        }

        @Override
        public double at(long step) {
            return 1 / (1 + beta * Check.step(step));
        }
    }

    /** {@code (1 + beta·t)^-alpha}. */
    record PolynomialInverse(double beta, double alpha) implements Schedule {
        PolynomialInverse {
            Check.nonNegative("beta", beta);
            Check.nonNegative("alpha", alpha);
        }

        @Override
        public double at(long step) {
            return Math.pow(1 + beta * Check.step(step), -alpha);
        }
    }

    /** {@code 1/sqrt(t + 1)}. */
    record InverseSqrt() implements Schedule {
        @Override
        public double at(long step) {
            return 1 / Math.sqrt(Check.step(step) + 1.0);
        }
    }

    /** {@code e^(-k·t)}. */
    record ExpDecay(double k) implements Schedule {
        ExpDecay {
            Check.nonNegative("k", k);
        }

        @Override
        public double at(long step) {
            return Math.exp(-k * Check.step(step));
        }
    }

    /** {@code (1 - min(t, T)/T)^power} (PolynomialLR): reaches 0 at T and stays there. */
    record PolynomialToZero(long totalSteps, double power) implements Schedule {
        PolynomialToZero {
            Check.positive("totalSteps", totalSteps);
            Check.positive("power", power);
        }

        @Override
        public double at(long step) {
            return Math.pow(1 - (double) Math.min(Check.step(step), totalSteps) / totalSteps, power);
        }

        @Override
        public OptionalLong length() {
            return OptionalLong.of(totalSteps);
        }
    }

    /** From {@code startFactor} to {@code endFactor} in a line over T steps, then held (LinearLR). */
    record Linear(double startFactor, double endFactor, long totalSteps) implements Schedule {
        Linear {
            Check.nonNegative("startFactor", startFactor);
            Check.nonNegative("endFactor", endFactor);
            Check.positive("totalSteps", totalSteps);
        }

        @Override
        public double at(long step) {
            return Anneal.LINEAR.between(
                    startFactor, endFactor, (double) Math.min(Check.step(step), totalSteps) / totalSteps);
        }

        @Override
        public OptionalLong length() {
            return OptionalLong.of(totalSteps);
        }
    }

    /**
     * SWALR ({@code torch.optim.swa_utils.SWALR}): from 1 to {@code swaFactor} over {@code annealSteps}
     * steps along {@code anneal}, then held; like PyTorch its first step is already one step in:
     * {@code at(t) = anneal(1 → swaFactor, min(1, (t+1)/annealSteps))}.
     */
    record Swalr(double swaFactor, long annealSteps, Anneal anneal) implements Schedule {
        Swalr {
            Check.nonNegative("swaFactor", swaFactor);
            Check.positive("annealSteps", annealSteps);
            Check.notNull("anneal", anneal);
        }

        @Override
        public double at(long step) {
            return anneal.between(1, swaFactor, Math.min(1, (double) (Check.step(step) + 1) / annealSteps));
        }
    }

    /**
     * Half a cosine from 1 to {@code minFactor} over T steps (CosineAnnealingLR); like PyTorch the curve
     * continues past T, rising again with period 2T.
     */
    record Cosine(long totalSteps, double minFactor) implements Schedule {
        Cosine {
            Check.positive("totalSteps", totalSteps);
            Check.within("minFactor", minFactor, 0, 1);
        }

        @Override
        public double at(long step) {
            return Anneal.COS.between(1, minFactor, (double) Check.step(step) / totalSteps);
        }

        @Override
        public OptionalLong length() {
            return OptionalLong.of(totalSteps);
        }
    }

    /**
     * SGDR (CosineAnnealingWarmRestarts): a cosine from 1 to {@code minFactor} over a period that starts
     * at {@code firstPeriod} and is multiplied by {@code periodMult} at each restart.
     */
    record CosineWarmRestarts(long firstPeriod, long periodMult, double minFactor) implements Schedule {
        CosineWarmRestarts {
            Check.positive("firstPeriod", firstPeriod);
            Check.positive("periodMult", periodMult);
            Check.within("minFactor", minFactor, 0, 1);
        }

        @Override
        public double at(long step) {
            long t = Check.step(step), period = firstPeriod;
            if (periodMult == 1) t %= period;
            else
                while (t >= period) {
                    t -= period;
                    period = period > Long.MAX_VALUE / periodMult ? Long.MAX_VALUE : period * periodMult;
                }
            return Anneal.COS.between(1, minFactor, (double) t / period);
        }
    }
}
