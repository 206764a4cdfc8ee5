package dev.descent.dsl.testing;

import dev.descent.optim.Optimizer;
import dev.descent.reference.OptimizerCase;
import dev.descent.reference.ReferenceRunner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Checks an optimizer — typically your own {@link Optimizer} implementation — against PyTorch's
 * recorded trajectories ({@code shared/reference/sgd_trajectories.json}, {@code
 * adaptive_trajectories.json}) in a few lines:
 *
 * <pre>{@code
 * for (OptimizerCase c : ReferenceCases.load(Path.of("../shared/reference/sgd_trajectories.json")))
 *     ReferenceCases.assertMatches(c, k -> new MySgd(k.lr(), k.number("momentum", 0)));
 * }</pre>
 *
 * The optimizer the factory returns runs from the case's start at its own {@link Optimizer#lr()} on
 * the case's objective, and every position is compared with PyTorch's within {@code |a-b| <=
 * tolerance·max(1,|b|)} (default {@link ReferenceRunner#DEFAULT_TOLERANCE}).
 */
public final class ReferenceCases {
    private ReferenceCases() {}

    /**
     * The outcome of one check.
     *
     * @param maxRelativeError the largest {@code |a-b| / max(1, |b|)} over all steps and parameters
     */
    public record Check(OptimizerCase referenceCase, Trajectory trajectory, double maxRelativeError, double tolerance) {

        public boolean passed() {
            return maxRelativeError <= tolerance;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%s: max relative error %.3e (tolerance %.0e) %s",
                    referenceCase,
                    maxRelativeError,
                    tolerance,
                    passed() ? "PASS" : "FAIL");
        }
    }

    /** The optimizer-trajectory cases of a reference file. */
    public static List<OptimizerCase> load(Path file) {
        return OptimizerCase.load(file);
    }

    /** Runs the factory's optimizer on the case; does not throw on a mismatch (see {@link Check#passed}). */
    public static Check check(OptimizerCase c, Function<OptimizerCase, ? extends Optimizer> factory) {
        return check(c, factory, ReferenceRunner.DEFAULT_TOLERANCE);
    }

    /** {@link #check(OptimizerCase, Function)} with another tolerance. */
    public static Check check(OptimizerCase c, Function<OptimizerCase, ? extends Optimizer> factory, double tolerance) {
        Optimizer opt = factory.apply(c);
        Trajectory t = Trajectories.run(opt, c.objective(), c.start(), c.steps());
        return new Check(c, t, t.maxRelativeError(c.expected()), tolerance);
    }

    /**
     * Checks and throws an {@link AssertionError} naming the case, the error and the first step that
     * is off, so it reads well in JUnit and Kotest.
     */
    public static Check assertMatches(OptimizerCase c, Function<OptimizerCase, ? extends Optimizer> factory) {
        Check check = check(c, factory);
        if (!check.passed()) {
            int bad = 1;
            while (check.trajectory().relativeErrorAt(bad, c.expected()[bad - 1]) <= check.tolerance()) bad++;
            throw new AssertionError(check + "; first off after step " + bad + ": got "
                    + Arrays.toString(check.trajectory().positions()[bad]) + ", PyTorch "
                    + Arrays.toString(c.expected()[bad - 1]));
        }
        return check;
    }
}
