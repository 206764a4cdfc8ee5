package dev.descent.model;

import dev.descent.backend.Backend;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Checks a {@link Layer}'s backward pass against central finite differences of its forward pass,
 * for every input element and every parameter, on a given backend. The check uses the scalar loss
 * {@code L = Σ r·y} with a fixed random r (so dL/dy = r), evaluates L in double precision, and divides
 * by the difference of the actually representable float perturbations, so float rounding of the step
 * does not enter the quotient.
 *
 * <p>The passes are training passes at step 0 of a run seeded with {@link #seed}: a layer that draws
 * random numbers from {@link LayerContext#uniform} (dropout) draws the same ones in every pass.
 *
 * <p>Where L has a kink inside the step (a ReLU input near 0) the two one-sided quotients differ;
 * such elements are skipped and counted, and the check fails if more than a few are skipped.
 *
 * <pre>{@code
 * GradientCheck.of(new MyLayer(), 6).run(new SimdBackend()).assertPassed();
 * }</pre>
 */
public final class GradientCheck {

    private final Layer layer;
    private final int[] inputShape;
    private final int inputs;
    private int rows = 5;
    private long seed = 1;
    private double step = 2e-3;
    private double absTolerance = 2e-3;
    private double relTolerance = 1e-2;
    private double inputScale = 1.5;
    private int maxSkipped = 3;
    private boolean training = true;

    private GradientCheck(Layer layer, int[] inputShape) {
        if (layer == null) throw new IllegalArgumentException("layer must not be null");
        for (int d : inputShape)
            if (d <= 0)
                throw new IllegalArgumentException("input shape " + Arrays.toString(inputShape) + " must be > 0");
        this.layer = layer;
        this.inputShape = inputShape.clone();
        this.inputs = Sequential.width(inputShape);
    }

    /** A check of layer on inputs of {@code inputs} features. */
    public static GradientCheck of(Layer layer, int inputs) {
        return new GradientCheck(layer, new int[] {inputs});
    }

    /**
     * A check of layer on inputs of the given per-example shape, e.g. {@code of(conv, 2, 6, 5)} for
     * {@code [C, H, W]} images or {@code of(batchNorm, 3, 4)} for {@code [C, L]}.
     */
    public static GradientCheck of(Layer layer, int... inputShape) {
        return new GradientCheck(layer, inputShape);
    }

    /** Rows in the batch (5 by default). */
    public GradientCheck rows(int rows) {
        if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
        this.rows = rows;
        return this;
    }

    /** Seed of the inputs, parameters and r (1 by default). */
    public GradientCheck seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The finite-difference step (2e-3 by default). */
    public GradientCheck step(double step) {
        if (!(step > 0)) throw new IllegalArgumentException("step must be > 0, got " + step);
        this.step = step;
        return this;
    }

    /** Passes when {@code |analytic - numeric| <= abs + rel·|numeric|} (2e-3 and 1e-2 by default). */
    public GradientCheck tolerance(double abs, double rel) {
        if (!(abs >= 0) || !(rel >= 0))
            throw new IllegalArgumentException("tolerances must be >= 0, got " + abs + ", " + rel);
        this.absTolerance = abs;
        this.relTolerance = rel;
        return this;
    }

    /** Inputs are drawn from U(±scale) (1.5 by default). */
    public GradientCheck inputScale(double scale) {
        this.inputScale = scale;
        return this;
    }

    /**
     * Whether the passes are training passes (true by default) or evaluation passes (batch norm then
     * normalises with its running statistics, which the check sets near their initial values).
     */
    public GradientCheck training(boolean training) {
        this.training = training;
        return this;
    }

    /** How many kinked elements may be skipped before the check fails (3 by default). */
    public GradientCheck maxSkipped(int n) {
        this.maxSkipped = n;
        return this;
    }

    /** The outcome: how many derivatives were compared, how many skipped, and the worst one. */
    public record Report(
            String layer, String backend, int checked, int skipped, double worstExcess, String worst, String detail) {

        /** True when every compared derivative is within tolerance and few enough were skipped. */
        public boolean passed() {
            return worstExcess <= 0 && detail.isEmpty();
        }

        /** @throws AssertionError describing the worst derivative unless {@link #passed()} */
        public Report assertPassed() {
            if (!passed()) throw new AssertionError(this.toString());
            return this;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "gradient check of %s on %s: %s; %d derivatives compared, %d skipped at kinks; worst %s",
                    layer,
                    backend,
                    passed() ? "passed" : "FAILED" + (detail.isEmpty() ? "" : " (" + detail + ")"),
                    checked,
                    skipped,
                    worst);
        }
    }

    /** Runs the check on backend b. */
    public Report run(Backend b) {
        Sequential model = Sequential.inputShape(inputShape).add(layer).build();
        Layer l = model.layers().get(0);
        Sequential.Workspace ws = model.workspace(rows);
        LayerContext c = ws.contexts[0];
        SplittableRandom rnd = new SplittableRandom(seed);
        int outs = model.outputs();
        float[] x = uniform(rnd, rows * inputs, inputScale);
        float[] r = uniform(rnd, rows * outs, 1.0);
        float[] params = model.initialParameters(seed);
        for (int i = 0; i < params.length; i++) params[i] += (float) ((rnd.nextDouble() * 2 - 1) * 0.1);
        float[] grads = new float[params.length];
        float[] y = new float[rows * outs];
        float[] dx = new float[rows * inputs];
        c.backend = b;
        c.params = params;
        c.grads = grads;
        c.buffers = model.initialBuffers(); // a training pass updates them; its output does not read them
        for (int i = 0; i < c.buffers.length; i++) c.buffers[i] += (float) ((rnd.nextDouble() * 2 - 1) * 0.1);
        c.rows = rows;
        c.accumulate = false;
        c.training = training; // in training, dropout's mask (fixed by seed and step) is part of the function
        c.seed = seed;
        l.forward(c, x, y);
        double f0 = dot(r, y);
        l.backward(c, x, y, r, dx);

        Compare cmp = new Compare(l, c, x, y, r, f0);
        for (int i = 0; i < x.length; i++) cmp.check(x, i, dx[i], "input[" + i + "]");
        for (Sequential.Slot s : model.parameters())
            for (int i = 0; i < s.size(); i++) {
                String name = s.name().substring(s.name().indexOf('.', "layers.".length()) + 1);
                cmp.check(params, s.offset() + i, grads[s.offset() + i], name + "[" + i + "]");
            }
        String detail =
                cmp.skipped > maxSkipped ? cmp.skipped + " elements sit on a kink (at most " + maxSkipped + ")" : "";
        return new Report(l.toString(), b.name(), cmp.checked, cmp.skipped, cmp.worstExcess, cmp.worst, detail);
    }

    /** Perturbs one element at a time and compares with the analytic derivative. */
    private final class Compare {
        final Layer l;
        final LayerContext c;
        final float[] x, y, r;
        final double f0;
        int checked, skipped;
        double worstExcess = Double.NEGATIVE_INFINITY;
        String worst = "(none)";

        Compare(Layer l, LayerContext c, float[] x, float[] y, float[] r, double f0) {
            this.l = l;
            this.c = c;
            this.x = x;
            this.y = y;
            this.r = r;
            this.f0 = f0;
        }

        void check(float[] a, int i, float analytic, String what) {
            float saved = a[i];
            float up = (float) (saved + step), down = (float) (saved - step);
            a[i] = up;
            double fUp = value();
            a[i] = down;
            double fDown = value();
            a[i] = saved;
            double fd = (fUp - fDown) / ((double) up - down);
            double right = (fUp - f0) / ((double) up - saved), left = (f0 - fDown) / ((double) saved - down);
            if (Math.abs(right - left) > 10 * (absTolerance + relTolerance * Math.abs(fd))) {
                skipped++;
                return;
            }
            checked++;
            double excess = Math.abs(fd - analytic) - (absTolerance + relTolerance * Math.abs(fd));
            if (excess > worstExcess || !Double.isFinite(analytic)) {
                worstExcess = Double.isFinite(analytic) ? excess : Double.POSITIVE_INFINITY;
                worst = String.format(Locale.ROOT, "%s: analytic %.6g, numeric %.6g", what, analytic, fd);
            }
        }

        double value() {
            l.forward(c, x, y);
            return dot(r, y);
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    private static float[] uniform(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return a;
    }

    @Override
    public String toString() {
        return "GradientCheck(" + layer + ", inputs " + inputs + ", rows " + rows + ", step " + step + ", "
                + Arrays.toString(new double[] {absTolerance, relTolerance}) + ")";
    }
}
