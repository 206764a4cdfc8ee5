package dev.descent.examples;

import dev.descent.data.Dataset;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Dense;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.History;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Example 10: the classic PyTorch first example — {@code nn.Linear(3, 2)}, {@code MSELoss}, {@code
 * SGD(lr=0.01, momentum=0.9)} — on synthetic data {@code y = A·x + b + noise}, written with the
 * Java builder of the DSL ({@link #javaScript}; the Kotlin DSL version is {@code
 * LinearRegressionScript.kt}). It recovers A and b.
 *
 * <pre>
 * # the PyTorch original
 * model = nn.Linear(3, 2)
 * opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
 * for epoch in range(20):
 *     for x, y in loader:                       # batches of 32
 *         opt.zero_grad()
 *         loss = nn.functional.mse_loss(model(x), y)
 *         loss.backward()
 *         opt.step()
 * </pre>
 */
@Command(
        name = "linear-regression",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Linear(3, 2) with MSE and SGD (momentum 0.9) on synthetic data y = A·x + b + Gaussian noise;"
                    + " recovers A and b.",
            "Writes loss.png (training loss per epoch, log scale), parameters.png (each weight and bias per"
                    + " epoch against its true value) and CSV."
        })
public final class LinearRegressionExample implements Callable<Integer> {

    /** The true map: y = A·x + b. */
    static final double[][] A = {{1.5, -2.0, 0.5}, {0.3, 1.0, -1.2}};

    static final double[] B = {0.5, -1.0};

    @Mixin
    CommonOptions common = CommonOptions.defaults(20, 32, 0.01);

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.")
    double momentum = 0.9;

    @Option(names = "--rows", paramLabel = "N", description = "Synthetic rows.")
    int rows = 1000;

    @Option(names = "--noise", paramLabel = "SIGMA", description = "Standard deviation of the noise added to y.")
    double noise = 0.1;

    Result result;

    /**
     * @param weights learned A, row-major [output][input]
     * @param bias learned b
     * @param loss mean training loss per epoch, index 0 before training
     * @param history every parameter per epoch: [epoch][A00, A01, A02, A10, A11, A12, b0, b1]
     */
    public record Result(double[][] weights, double[] bias, double[] loss, List<double[]> history) {
        /** The largest |learned − true| over A and b. */
        public double maxError() {
            double e = 0;
            for (int o = 0; o < 2; o++) {
                for (int i = 0; i < 3; i++) e = Math.max(e, Math.abs(weights[o][i] - A[o][i]));
                e = Math.max(e, Math.abs(bias[o] - B[o]));
            }
            return e;
        }
    }

    /** {@code rows} rows of x ~ N(0, 1)³ and y = A·x + b + N(0, noise²)², from the seed. */
    static Dataset synthetic(int rows, double noise, long seed) {
        if (rows < 1) throw new IllegalArgumentException("--rows must be >= 1, got " + rows);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[rows * 3], y = new float[rows * 2];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < 3; i++) x[r * 3 + i] = (float) gaussian(rnd);
            for (int o = 0; o < 2; o++) {
                double v = B[o] + noise * gaussian(rnd);
                for (int i = 0; i < 3; i++) v += A[o][i] * x[r * 3 + i];
                y[r * 2 + o] = (float) v;
            }
        }
        return Dataset.regression("y = A·x + b + noise", x, 3, y, 2);
    }

    private static double gaussian(SplittableRandom rnd) { // Box–Muller
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    /**
     * The settings of one run; PyTorch's example is {@code (epochs 20, batch 32, lr 0.01, momentum 0.9)}.
     *
     * @param backend a backend name ({@code "simd"}, {@code "scalar"}, {@code "gpu"})
     */
    public record Settings(int epochs, int batchSize, double lr, double momentum, long seed, String backend) {}

    /**
     * PyTorch's first example written with the Java builder; {@code LinearRegressionScript.kt} is the
     * same script in the Kotlin DSL. Both are shown side by side in the README (ReadmeSyncTest).
     */
    public static Fit javaScript(Dataset data, Settings s) {
        // README:begin linear-regression-java
        // nn.Linear(3, 2), nn.MSELoss(), SGD(lr=0.01, momentum=0.9), batches of 32, 20 epochs
        Fit fit = Descent.train(Models.linearRegression(3, 2))
                .loss(Loss.mse())
                .optimizer(Optimizers.sgd(s.lr()).momentum(s.momentum()))
                .batchSize(s.batchSize())
                .epochs(s.epochs())
                .seed(s.seed())
                .backend(s.backend())
                .progressBar(false)
                .fit(data, data); // validation = training set: the full training loss after every epoch
        // README:end
        return fit;
    }

    public static Result compute(
            String backend, int rows, double noise, int epochs, int batchSize, double lr, double momentum, long seed) {
        Dataset data = synthetic(rows, noise, seed);
        Settings s = new Settings(epochs, batchSize, lr, momentum, seed, backend);
        Fit fit = javaScript(data, s);
        Sequential model = fit.model();
        double[] loss = new double[epochs + 1];
        loss[0] = RunCurves.loss(fit.backend(), model, fit.result().loss(), model.initialParameters(seed), data);
        List<History.Epoch> ep = fit.history().epochs();
        for (int e = 0; e < epochs; e++) loss[e + 1] = ep.get(e).valLoss();
        // The parameters after each epoch e: the same script run for e epochs. Same seed, same backend:
        // its e epochs are bit for bit the first e epochs of the full run (batch order from (seed, epoch)).
        List<double[]> history = new ArrayList<>();
        history.add(flat(model, model.initialParameters(seed)));
        for (int e = 1; e < epochs; e++)
            history.add(flat(
                    model,
                    javaScript(data, new Settings(e, batchSize, lr, momentum, seed, backend))
                            .parameters()));
        history.add(flat(model, fit.parameters()));
        double[] last = history.get(history.size() - 1);
        double[][] w = {{last[0], last[1], last[2]}, {last[3], last[4], last[5]}};
        return new Result(w, new double[] {last[6], last[7]}, loss, history);
    }

    /** A (row-major, PyTorch's weight layout [out][in]) then b, from the flat parameter buffer. */
    private static double[] flat(Sequential model, float[] p) {
        Dense d = (Dense) model.layers().get(0);
        double[] v = new double[8];
        for (int k = 0; k < 6; k++) v[k] = p[d.weightOffset() + k];
        v[6] = p[d.biasOffset()];
        v[7] = p[d.biasOffset() + 1];
        return v;
    }

    @Override
    public Integer call() {
        if (!(noise >= 0)) throw new IllegalArgumentException("--noise must be >= 0, got " + noise);
        result = compute(
                common.backend().name(),
                rows,
                noise,
                common.epochs(),
                common.batchSize(),
                common.lr(),
                momentum,
                common.seed());
        Path dir = common.out("linear-regression");
        int epochs = common.epochs();
        double[] ep = Plots.steps(epochs + 1);

        XYChart loss = Plots.logY(Plots.xy(
                String.format(
                        "Linear(3, 2), MSE, SGD lr %s momentum %s, batch %d",
                        common.lr(), momentum, common.batchSize()),
                "epoch",
                "training MSE (log scale)"));
        Plots.line(loss, "training loss", ep, result.loss(), Plots.COLORS[0]);
        if (noise > 0)
            Plots.dashed(
                    loss,
                    String.format("noise floor σ² = %.3g", noise * noise),
                    new double[] {0, epochs},
                    new double[] {noise * noise, noise * noise},
                    Plots.COLORS[6]);
        Plots.xMax(loss, epochs);
        Plots.save(loss, dir.resolve("loss.png"));

        String[] names = {"A[0,0]", "A[0,1]", "A[0,2]", "A[1,0]", "A[1,1]", "A[1,2]", "b[0]", "b[1]"};
        double[] truth = {A[0][0], A[0][1], A[0][2], A[1][0], A[1][1], A[1][2], B[0], B[1]};
        XYChart params = Plots.xy("Parameters per epoch (dashed: true values)", "epoch", "value");
        for (int k = 0; k < 8; k++) {
            double[] v = new double[epochs + 1];
            for (int e = 0; e <= epochs; e++) v[e] = result.history().get(e)[k];
            Plots.line(params, names[k], ep, v, Plots.COLORS[k]);
            Plots.dashed(
                            params,
                            names[k] + " true",
                            new double[] {0, epochs},
                            new double[] {truth[k], truth[k]},
                            Plots.COLORS[k])
                    .setShowInLegend(false);
        }
        params.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        Plots.xMax(params, epochs);
        Plots.save(params, dir.resolve("parameters.png"));

        try (CsvOut csv = CsvOut.create(
                dir.resolve("history.csv"), "epoch", "loss", "A00", "A01", "A02", "A10", "A11", "A12", "b0", "b1")) {
            for (int e = 0; e <= epochs; e++) {
                double[] h = result.history().get(e);
                csv.row(e, result.loss()[e], h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
            }
        }

        System.out.printf(
                "linear-regression: %d rows, y = A·x + b + N(0, %s²), Linear(3,2), MSE, SGD lr %s momentum %s, batch %d,"
                        + " %d epochs%n",
                rows, noise, common.lr(), momentum, common.batchSize(), epochs);
        for (int o = 0; o < 2; o++)
            System.out.printf(
                    "  row %d: learned A = [%7.4f %7.4f %7.4f] b = %7.4f   true A = [%5.2f %5.2f %5.2f] b = %5.2f%n",
                    o,
                    result.weights()[o][0],
                    result.weights()[o][1],
                    result.weights()[o][2],
                    result.bias()[o],
                    A[o][0],
                    A[o][1],
                    A[o][2],
                    B[o]);
        System.out.printf(
                "  final training MSE %.5f (noise floor %.5f), largest parameter error %.4f%n",
                result.loss()[epochs], noise * noise, result.maxError());
        System.out.println("  wrote " + dir.resolve("loss.png") + ", parameters.png, history.csv");
        return 0;
    }
}
