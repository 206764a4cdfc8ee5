package dev.descent.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.objective.Objective;
import dev.descent.objective.Objectives;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One optimizer-trajectory reference case ({@code shared/reference/sgd_trajectories.json}, {@code
 * adaptive_trajectories.json}, {@code more_optimizers.json}): PyTorch's optimizer {@code optimizer} with hyper-parameters {@code
 * hyper} run from {@code p0} on {@code f(p) = ½·Σ aᵢ·pᵢ² + Σ bᵢ·pᵢ} at its base learning rate, and
 * the parameters it reached after each step.
 *
 * @param file the file's name, for messages
 * @param index the case's position in the file
 * @param optimizer PyTorch's class name ("SGD", "Adam"...)
 * @param hyper PyTorch's hyper-parameter names and values
 * @param expected {@code expected[k]} = the parameters after step {@code k + 1}
 */
public record OptimizerCase(
        String file,
        int index,
        String optimizer,
        Map<String, Object> hyper,
        double[] a,
        double[] b,
        float[] p0,
        double[][] expected) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public OptimizerCase {
        hyper = Collections.unmodifiableMap(hyper);
        if (a.length != b.length || a.length != p0.length)
            throw new IllegalArgumentException(file + " #" + index + ": a, b and p0 have " + a.length + ", " + b.length
                    + " and " + p0.length + " values");
    }

    /** Whether a case object of a reference file is an optimizer trajectory. */
    static boolean isOne(JsonNode c) {
        return c.has("optimizer") && c.has("params_after_each_step") && !c.has("groups") && !c.has("averaging");
    }

    /** Reads one case object. */
    static OptimizerCase parse(String file, int index, JsonNode c) {
        JsonNode after = Json.required(c, "params_after_each_step");
        double[][] expected = new double[after.size()][];
        for (int k = 0; k < expected.length; k++) expected[k] = Json.doubles(after.get(k));
        return new OptimizerCase(
                file,
                index,
                Json.required(c, "optimizer").asText(),
                Json.map(c.path("hyper")),
                Json.doubles(Json.required(c, "a")),
                Json.doubles(Json.required(c, "b")),
                Json.floats(Json.required(c, "p0")),
                expected);
    }

    /** Every optimizer-trajectory case in a reference file (other kinds of case are skipped). */
    public static List<OptimizerCase> load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference file " + file + ": " + e.getMessage(), e);
        }
        JsonNode cases = root == null ? null : root.get("cases");
        if (cases == null || !cases.isArray())
            throw new IllegalArgumentException("reference file " + file + " has no \"cases\" list");
        List<OptimizerCase> out = new ArrayList<>();
        String name = file.getFileName().toString();
        for (int i = 0; i < cases.size(); i++) if (isOne(cases.get(i))) out.add(parse(name, i, cases.get(i)));
        return out;
    }

    /** The objective {@code ½·Σ a·p² + Σ b·p}. */
    public Objective objective() {
        return Objectives.diagonalQuadratic(a, b);
    }

    /** A copy of the start point. */
    public float[] start() {
        return p0.clone();
    }

    /** Optimizer steps recorded. */
    public int steps() {
        return expected.length;
    }

    /**
     * Descent's own optimizer for this case ({@link Optimizers#fromSpec}).
     *
     * @throws IllegalArgumentException "unsupported: …" for an optimizer or hyper-parameter Descent
     *     does not know, or a value it rejects (never ignored)
     */
    public Optimizer descentOptimizer() {
        try {
            return Optimizers.fromSpec(optimizer, hyper);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported: " + e.getMessage(), e);
        }
    }

    /** The base learning rate ({@code hyper.lr}). */
    public double lr() {
        return number("lr", Double.NaN);
    }

    /** A numeric hyper-parameter, or {@code fallback} when the case does not set it. */
    public double number(String name, double fallback) {
        Object v = hyper.get(name);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }

    /** A boolean hyper-parameter, false when the case does not set it. */
    public boolean flag(String name) {
        return Boolean.TRUE.equals(hyper.get(name));
    }

    /** "sgd_trajectories.json #2 SGD {lr=0.1, momentum=0.9, nesterov=true}". */
    @Override
    public String toString() {
        return file + " #" + index + " " + optimizer + " " + hyper;
    }
}
