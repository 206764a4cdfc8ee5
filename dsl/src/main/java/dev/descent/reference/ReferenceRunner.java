package dev.descent.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.loss.BceWithLogits;
import dev.descent.loss.KlDivergence;
import dev.descent.loss.Loss;
import dev.descent.loss.Nll;
import dev.descent.loss.SoftmaxCrossEntropy;
import dev.descent.model.ActivationLayer;
import dev.descent.model.AvgPool2D;
import dev.descent.model.BatchNorm;
import dev.descent.model.Conv2D;
import dev.descent.model.Dense;
import dev.descent.model.Flatten;
import dev.descent.model.Layer;
import dev.descent.model.LayerNorm;
import dev.descent.model.MaxPool2D;
import dev.descent.model.Sequential;
import dev.descent.objective.Objective;
import dev.descent.objective.Objectives;
import dev.descent.optim.Asgd;
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.schedule.OneCycle;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import dev.descent.train.Clipping;
import dev.descent.train.TrainingSession;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs reference cases (PyTorch's numbers, in the JSON format of {@code shared/reference}) on one
 * backend and reports the largest relative error of each. A case's kind is recognised from its
 * fields, never from the file name, so any directory of files in this format works: other seeds,
 * other hyper-parameters, other sizes.
 */
public final class ReferenceRunner {

    /** The default tolerance on {@code |a-b| / max(1, |b|)}. */
    public static final double DEFAULT_TOLERANCE = 1e-5;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CALL = Pattern.compile("\\s*(\\w+)\\s*\\((.*)\\)\\s*");
    private static final Pattern PLAN = Pattern.compile(
            "(\\d+) full-batch steps?, then (\\d+) steps? on rows \\[(\\d+)k\\.\\.(\\d+)k\\+(\\d+)\\] mod n in order");

    private final Backend backend;
    private final double tolerance;

    public ReferenceRunner(Backend backend, double tolerance) {
        if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        this.backend = backend;
        this.tolerance = tolerance;
    }

    public ReferenceRunner(Backend backend) {
        this(backend, DEFAULT_TOLERANCE);
    }

    /** Runs every case of every {@code *.json} file in dir (sorted by name) that has a "cases" list. */
    public List<CaseResult> runDirectory(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("not a directory: " + dir);
        List<CaseResult> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList()) all.addAll(runFile(f));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return all;
    }

    /** Runs every case of one file; a file that is not valid JSON or has no "cases" list is one failed case. */
    public List<CaseResult> runFile(Path file) {
        String name = file.getFileName().toString();
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            return List.of(new CaseResult(name, 0, "file", Double.NaN, false, "unreadable JSON: " + e.getMessage()));
        }
        JsonNode cases = root == null ? null : root.get("cases");
        if (cases == null || !cases.isArray())
            return List.of(new CaseResult(name, 0, "file", Double.NaN, false, "no \"cases\" list"));
        List<CaseResult> out = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) out.add(runCase(name, i, cases.get(i), root));
        return out;
    }

    /** Prints one line per result and the closing {@code N passed, M failed} line; returns M. */
    public static int report(List<CaseResult> results, Backend backend, PrintStream out) {
        out.println("backend: " + backend.name() + " (" + backend.device() + ")");
        int failed = 0;
        for (CaseResult r : results) {
            out.println(r.line());
            if (!r.passed()) failed++;
        }
        out.println((results.size() - failed) + " passed, " + failed + " failed");
        return failed;
    }

    private CaseResult runCase(String file, int index, JsonNode c, JsonNode root) {
        String kind = describe(c);
        try {
            Compare cmp = new Compare();
            if (c.has("groups") && c.has("params_after_each_step")) paramGroups(c, cmp);
            else if (c.has("averaging") && c.has("averaged_after_each_step")) averaging(file, index, c, cmp);
            else if (OptimizerCase.isOne(c)) optimizerTrajectory(file, index, c, cmp);
            else if (c.has("loss") && c.has("value") && c.has("grad")) loss(c, cmp);
            else if (c.has("sizes") && c.has("init")) mlp(c, cmp);
            else if (c.has("kind") && c.has("lr_at_step")) schedule(c, root, cmp);
            else if (c.has("kind") && c.has("clipped")) clipping(c, cmp);
            else if (c.has("layer") && c.has("config")) layer(c, cmp);
            else return new CaseResult(file, index, kind, Double.NaN, false, "unsupported case kind");
            double err = cmp.max();
            return new CaseResult(file, index, kind, err, err <= tolerance, "");
        } catch (RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            String detail = m.startsWith("unsupported")
                    ? m
                    : e instanceof UnsupportedOperationException ? "unsupported: " + m : "error: " + m;
            return new CaseResult(file, index, kind, Double.NaN, false, detail); // a backend without the operation
        }
    }

    private static String describe(JsonNode c) {
        if (c.has("optimizer") && c.get("optimizer").isTextual()) {
            JsonNode h = c.get("hyper");
            String prefix = c.has("averaging")
                    ? c.path("kind").asText() + " "
                            + c.get("averaging").path("decay").asText("")
                            + c.get("averaging").path("start_step").asText("") + " "
                    : c.has("groups") ? "groups " : "";
            return prefix
                    + c.get("optimizer").asText()
                    + (h == null ? "" : " " + h.toString().replace("\"", ""));
        }
        if (c.has("sizes"))
            return "mlp " + c.get("sizes") + " " + c.path("hidden_activation").asText() + " "
                    + c.path("loss").asText();
        if (c.has("layer"))
            return "layer " + c.get("layer").asText() + " "
                    + c.path("config").toString().replace("\"", "");
        if (c.has("loss")) {
            StringBuilder options = new StringBuilder();
            for (String option :
                    List.of("label_smoothing", "class_weights", "pos_weight", "beta", "delta", "log_target")) {
                JsonNode v = c.get(option);
                if (v == null || v.isNull() || (v.isNumber() && v.asDouble() == 0)) continue;
                options.append(' ').append(option).append(v.isArray() ? "" : "=" + v.asText());
            }
            return "loss " + c.get("loss").asText() + " " + c.path("reduction").asText("mean") + options;
        }
        if (c.has("kind")) return c.get("kind").asText();
        return "unknown";
    }

    // ---- optimizers on f(p) = ½·Σ a·p² + b·p ---------------------------------------------

    /** The fields of an optimizer case this runner reads or checks; a case recording anything else is unsupported. */
    private static final java.util.Set<String> OPTIMIZER_CASE_FIELDS = java.util.Set.of(
            "optimizer",
            "hyper",
            "a",
            "b",
            "p0",
            "grads",
            "params_after_each_step",
            "averaged_params_after_each_step",
            "objective",
            "note");

    private void optimizerTrajectory(String file, int index, JsonNode c, Compare cmp) {
        for (var it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!OPTIMIZER_CASE_FIELDS.contains(field))
                throw new IllegalArgumentException(
                        "unsupported: the case records '" + field + "', which this runner" + " does not check");
        }
        OptimizerCase oc = OptimizerCase.parse(file, index, c);
        Optimizer opt = oc.descentOptimizer();
        JsonNode averaged = c.get("averaged_params_after_each_step");
        if (averaged != null && !(opt instanceof Asgd))
            throw new IllegalArgumentException(
                    "unsupported: the case records averaged params, " + oc.optimizer() + " keeps no average");
        Objective f = oc.objective();
        float[] p = oc.start();
        float[] g = new float[p.length];
        OptimizerState state = opt.newState(p.length);
        JsonNode grads = c.get("grads");
        for (int k = 0; k < oc.steps(); k++) {
            f.gradient(p, g);
            if (grads != null) cmp.array(g, 0, grads.get(k));
            opt.step(backend, p, g, state, opt.lr());
            cmp.array(p, 0, oc.expected()[k]);
            if (averaged != null) cmp.array(((Asgd) opt).averaged(state), 0, averaged.get(k));
        }
    }

    // ---- layers: output, grad_input and grad_params of one layer for a fixed upstream grad -------

    /** The fields of a layer case this runner reads or checks; a case recording anything else is unsupported. */
    private static final java.util.Set<String> LAYER_CASE_FIELDS = java.util.Set.of(
            "layer",
            "config",
            "input_shape",
            "input",
            "output_shape",
            "output",
            "upstream_grad",
            "grad_input",
            "param_shapes",
            "params",
            "grad_params",
            "note");

    private void layer(JsonNode c, Compare cmp) {
        if (Json.required(c, "layer").asText().equals("batch_norm1d")) {
            batchNorm(c, cmp);
            return;
        }
        if (Json.required(c, "layer").asText().equals("tiny_cnn")) {
            tinyCnn(c, cmp);
            return;
        }
        Layer layer = layerOf(Json.required(c, "layer").asText(), Json.required(c, "config"));
        for (var it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!LAYER_CASE_FIELDS.contains(field))
                throw new IllegalArgumentException(
                        "unsupported: the case records '" + field + "', which this runner does not check");
        }
        int[] inShape = ints(Json.required(c, "input_shape"));
        if (inShape.length != 2 && inShape.length != 4)
            throw new IllegalArgumentException("unsupported: input shape " + java.util.Arrays.toString(inShape)
                    + " (the CPU layers take [rows, features] or images [rows, channels, height, width])");
        int rows = inShape[0];
        Sequential model = (inShape.length == 4
                        ? Sequential.image(inShape[1], inShape[2], inShape[3])
                        : Sequential.input(inShape[1]))
                .add(layer)
                .build();
        int[] outShape = ints(Json.required(c, "output_shape"));
        int[] gives = model.shapeBefore(1);
        if (outShape[0] != rows
                || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(outShape, 1, outShape.length), gives))
            throw new IllegalArgumentException(
                    "output shape " + java.util.Arrays.toString(outShape) + ", the layer gives [" + rows + ", "
                            + java.util.Arrays.toString(gives).substring(1));
        float[] params = new float[model.parameterCount()];
        JsonNode given = c.path("params"), shapes = c.path("param_shapes"), grads = c.path("grad_params");
        int named = 0;
        for (Sequential.Slot s : model.parameters()) {
            String name = s.name().substring(s.name().lastIndexOf('.') + 1);
            if (!java.util.Arrays.equals(ints(Json.required(shapes, name)), s.shape()))
                throw new IllegalArgumentException("parameter " + name + " has shape " + shapes.get(name)
                        + ", the layer " + java.util.Arrays.toString(s.shape()));
            copyInto(Json.floats(Json.required(given, name)), params, s.offset(), s.size());
            Json.required(grads, name);
            named++;
        }
        if (given.size() != named || shapes.size() != named || grads.size() != named)
            throw new IllegalArgumentException("the case has parameters " + shapes + ", the layer "
                    + model.parameters().stream().map(Sequential.Slot::name).toList());
        float[] x = Json.floats(Json.required(c, "input"));
        Sequential.Workspace ws = model.workspace(rows);
        cmp.array(model.forward(backend, params, x, rows, ws), 0, Json.required(c, "output"));
        float[] g = new float[params.length], dx = new float[x.length];
        model.backward(backend, params, x, rows, ws, Json.floats(Json.required(c, "upstream_grad")), g, false, dx);
        cmp.array(dx, 0, Json.required(c, "grad_input"));
        for (Sequential.Slot s : model.parameters())
            cmp.array(g, s.offset(), grads.get(s.name().substring(s.name().lastIndexOf('.') + 1)));
    }

    /** The fields of a batch_norm1d case: a layer case's and the running statistics before and after. */
    private static final java.util.Set<String> BATCH_NORM_CASE_FIELDS = java.util.Set.of(
            "layer",
            "config",
            "input_shape",
            "input",
            "output_shape",
            "output",
            "upstream_grad",
            "grad_input",
            "param_shapes",
            "params",
            "grad_params",
            "running_before",
            "running_after",
            "output_eval_mode_after",
            "note");

    /**
     * A batch_norm1d case (input {@code [N, C]} or {@code [N, C, L]}): from {@code params} and the
     * running statistics {@code running_before}, one training pass checks {@code output}, {@code
     * grad_input}, {@code grad_params} and {@code running_after}, then one evaluation pass {@code
     * output_eval_mode_after}.
     */
    private void batchNorm(JsonNode c, Compare cmp) {
        for (var it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!BATCH_NORM_CASE_FIELDS.contains(field))
                throw new IllegalArgumentException(
                        "unsupported: the case records '" + field + "', which this runner does not check");
        }
        JsonNode config = Json.required(c, "config");
        Map<String, Object> cfg = Json.map(config);
        if (!Json.required(config, "affine").asBoolean()
                || !Json.required(config, "track_running_stats").asBoolean()
                || !Json.required(config, "mode").asText().equals("train"))
            throw new IllegalArgumentException("unsupported: batch_norm1d " + cfg
                    + " (Descent's batch norm is affine, tracks running statistics, and the case must train)");
        BatchNorm layer = BatchNorm.batchNorm1d(
                        Json.required(config, "num_features").asInt())
                .withEps(Json.required(config, "eps").asDouble())
                .withMomentum(Json.required(config, "momentum").asDouble());
        int[] inShape = ints(Json.required(c, "input_shape"));
        if (inShape.length < 2)
            throw new IllegalArgumentException("input shape " + java.util.Arrays.toString(inShape) + " has no batch");
        int rows = inShape[0];
        Sequential model = Sequential.inputShape(java.util.Arrays.copyOfRange(inShape, 1, inShape.length))
                .add(layer)
                .build();
        if (!java.util.Arrays.equals(ints(Json.required(c, "output_shape")), inShape))
            throw new IllegalArgumentException("output shape " + c.get("output_shape") + ", the layer gives "
                    + java.util.Arrays.toString(inShape));
        float[] params = new float[model.parameterCount()];
        JsonNode given = Json.required(c, "params"), grads = Json.required(c, "grad_params");
        for (Sequential.Slot s : model.parameters()) {
            String name = s.name().substring(s.name().lastIndexOf('.') + 1);
            if (!java.util.Arrays.equals(ints(Json.required(Json.required(c, "param_shapes"), name)), s.shape()))
                throw new IllegalArgumentException("parameter " + name + " has shape "
                        + c.get("param_shapes").get(name) + ", the layer " + java.util.Arrays.toString(s.shape()));
            copyInto(Json.floats(Json.required(given, name)), params, s.offset(), s.size());
        }
        float[] buffers = model.initialBuffers();
        JsonNode before = Json.required(c, "running_before"), after = Json.required(c, "running_after");
        for (Sequential.Slot s : model.buffers()) {
            String name = s.name().substring(s.name().lastIndexOf('.') + 1);
            if (before.has(name)) copyInto(Json.floats(before.get(name)), buffers, s.offset(), s.size());
        }
        float[] x = Json.floats(Json.required(c, "input"));
        Sequential.Workspace ws = model.workspace(rows).training(0, 0, 0);
        cmp.array(model.forward(backend, params, buffers, x, rows, ws), 0, Json.required(c, "output"));
        float[] g = new float[params.length], dx = new float[x.length];
        model.backward(backend, params, x, rows, ws, Json.floats(Json.required(c, "upstream_grad")), g, false, dx);
        cmp.array(dx, 0, Json.required(c, "grad_input"));
        for (Sequential.Slot s : model.parameters())
            cmp.array(
                    g,
                    s.offset(),
                    Json.required(grads, s.name().substring(s.name().lastIndexOf('.') + 1)));
        for (Sequential.Slot s : model.buffers()) {
            String name = s.name().substring(s.name().lastIndexOf('.') + 1);
            if (after.has(name)) cmp.array(buffers, s.offset(), after.get(name));
        }
        cmp.array(
                model.forward(backend, params, buffers, x, rows, ws.evaluation()),
                0,
                Json.required(c, "output_eval_mode_after"));
    }

    /** The Descent layer for a reference case's {@code layer} and {@code config}. */
    private static Layer layerOf(String kind, JsonNode config) {
        Map<String, Object> cfg = Json.map(config);
        return switch (kind) {
            case "leaky_relu" ->
                new ActivationLayer(Activation.leakyRelu(
                        (float) Json.required(config, "negative_slope").asDouble()));
            case "gelu" ->
                switch (Json.required(config, "approximate").asText()) {
                    case "none" -> new ActivationLayer(Activation.GELU);
                    case "tanh" -> new ActivationLayer(Activation.GELU_TANH);
                    default -> throw new IllegalArgumentException("unsupported: gelu " + cfg);
                };
            case "layer_norm" -> {
                JsonNode shape = Json.required(config, "normalized_shape");
                if (shape.size() != 1
                        || !Json.required(config, "elementwise_affine").asBoolean())
                    throw new IllegalArgumentException("unsupported: layer_norm " + cfg
                            + " (Descent normalises the last dimension, with an elementwise affine)");
                yield new LayerNorm(
                        shape.get(0).asInt(), Json.required(config, "eps").asDouble());
            }
            case "conv2d" -> {
                int[] kernel = ints(Json.required(config, "kernel_size")),
                        stride = ints(Json.required(config, "stride")),
                        padding = ints(Json.required(config, "padding"));
                if (!java.util.Arrays.equals(ints(Json.required(config, "dilation")), new int[] {1, 1})
                        || !Json.required(config, "bias").asBoolean()
                        || config.path("groups").asInt(1) != 1
                        || !config.path("padding_mode").asText("zeros").equals("zeros"))
                    throw new IllegalArgumentException("unsupported: conv2d " + cfg
                            + " (Descent's Conv2D has a bias, zero padding, dilation 1 and one group)");
                yield new Conv2D(
                        Json.required(config, "in_channels").asInt(),
                        Json.required(config, "out_channels").asInt(),
                        kernel[0],
                        kernel[1],
                        stride[0],
                        stride[1],
                        padding[0],
                        padding[1]);
            }
            case "max_pool2d", "avg_pool2d" -> {
                int[] kernel = ints(Json.required(config, "kernel_size")),
                        stride = ints(Json.required(config, "stride"));
                if (!java.util.Arrays.equals(ints(Json.required(config, "padding")), new int[] {0, 0})
                        || Json.required(config, "ceil_mode").asBoolean()
                        || !java.util.Arrays.equals(ints(config.path("dilation")), new int[0])
                                && !java.util.Arrays.equals(ints(config.path("dilation")), new int[] {1, 1}))
                    throw new IllegalArgumentException("unsupported: " + kind + " " + cfg
                            + " (Descent's pools have no padding, no dilation and floor mode)");
                yield kind.equals("max_pool2d")
                        ? new MaxPool2D(kernel[0], kernel[1], stride[0], stride[1])
                        : new AvgPool2D(kernel[0], kernel[1], stride[0], stride[1]);
            }
            case "flatten" -> {
                if (Json.required(config, "start_dim").asInt() != 1
                        || Json.required(config, "end_dim").asInt() != -1)
                    throw new IllegalArgumentException(
                            "unsupported: flatten " + cfg + " (Descent flattens a whole example)");
                yield new Flatten();
            }
            default ->
                throw new IllegalArgumentException("unsupported: layer '" + kind
                        + "' is not implemented yet (the CPU layers are dense, activations (gelu, leaky_relu, ...), dropout,"
                        + " layer_norm, batch_norm1d/2d, conv2d, max/avg pooling and flatten)");
        };
    }

    /** The fields of the tiny_cnn case; anything else is unsupported. */
    private static final java.util.Set<String> TINY_CNN_FIELDS = java.util.Set.of(
            "layer",
            "config",
            "input_shape",
            "input",
            "target_class",
            "param_shapes",
            "params",
            "conv_out",
            "logits",
            "loss",
            "grad_params",
            "grad_input",
            "note");

    /**
     * tiny_cnn: conv2d(1→3, kernel 3, padding 1) → relu → max_pool2d(2) → flatten → linear(27→3)
     * with mean softmax cross-entropy; checks conv_out, logits, loss, every parameter's gradient and
     * grad_input.
     */
    private void tinyCnn(JsonNode c, Compare cmp) {
        for (var it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!TINY_CNN_FIELDS.contains(field))
                throw new IllegalArgumentException(
                        "unsupported: the case records '" + field + "', which this runner does not check");
        }
        int[] in = ints(Json.required(c, "input_shape"));
        if (in.length != 4) throw new IllegalArgumentException("tiny_cnn input shape " + c.get("input_shape"));
        int rows = in[0];
        Sequential model = Sequential.image(in[1], in[2], in[3])
                .conv2d(3, 3, 1, 1)
                .activation(Activation.RELU)
                .maxPool2d(2)
                .flatten()
                .dense(3)
                .build();
        Map<String, String> names = Map.of(
                "conv.weight", "layers.0.weight",
                "conv.bias", "layers.0.bias",
                "linear.weight", "layers.4.weight",
                "linear.bias", "layers.4.bias");
        JsonNode given = Json.required(c, "params"), shapes = Json.required(c, "param_shapes");
        JsonNode grads = Json.required(c, "grad_params");
        if (given.size() != names.size() || grads.size() != names.size() || shapes.size() != names.size())
            throw new IllegalArgumentException("tiny_cnn has parameters " + shapes + ", expected " + names.keySet());
        float[] params = new float[model.parameterCount()];
        for (var e : names.entrySet()) {
            Sequential.Slot s = model.parameters().stream()
                    .filter(t -> t.name().equals(e.getValue()))
                    .findFirst()
                    .orElseThrow();
            if (!java.util.Arrays.equals(ints(Json.required(shapes, e.getKey())), s.shape()))
                throw new IllegalArgumentException(
                        "tiny_cnn parameter " + e.getKey() + " has shape " + shapes.get(e.getKey()) + ", Descent's "
                                + s.name() + " " + java.util.Arrays.toString(s.shape()));
            copyInto(Json.floats(Json.required(given, e.getKey())), params, s.offset(), s.size());
        }
        float[] x = Json.floats(Json.required(c, "input"));
        // the convolution alone, with the model's first two tensors: conv_out (before relu)
        Sequential conv =
                Sequential.image(in[1], in[2], in[3]).conv2d(3, 3, 1, 1).build();
        cmp.array(conv.forward(backend, params, x, rows, conv.workspace(rows)), 0, Json.required(c, "conv_out"));

        Sequential.Workspace ws = model.workspace(rows);
        float[] logits = model.forward(backend, params, x, rows, ws);
        cmp.array(logits, 0, Json.required(c, "logits"));
        float[] target = Json.floats(Json.required(c, "target_class"));
        float[] dOut = new float[rows * model.outputs()];
        Loss loss = Loss.softmaxCrossEntropy();
        double value = loss.valueAndGradient(logits, 0, target, 0, rows, model.outputs(), dOut, 0, 1f);
        cmp.value(value, Json.required(c, "loss").asDouble());
        float[] g = new float[params.length], dx = new float[x.length];
        model.backward(backend, params, x, rows, ws, dOut, g, false, dx);
        for (var e : names.entrySet())
            for (Sequential.Slot s : model.parameters())
                if (s.name().equals(e.getValue())) cmp.array(g, s.offset(), Json.required(grads, e.getKey()));
        cmp.array(dx, 0, Json.required(c, "grad_input"));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    /** The fields of a parameter-groups case; anything else is unsupported. */
    private static final java.util.Set<String> GROUPS_CASE_FIELDS = java.util.Set.of(
            "optimizer", "base_lr", "groups", "a", "b", "p0", "grads", "params_after_each_step", "note");

    /**
     * PyTorch's param_groups: one vector split by {@code groups[].indices}, each optimized group with
     * its own {@code hyper} and {@code lr_multiplier} of {@code base_lr}, the others frozen.
     */
    private void paramGroups(JsonNode c, Compare cmp) {
        for (var it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!GROUPS_CASE_FIELDS.contains(field))
                throw new IllegalArgumentException(
                        "unsupported: the case records '" + field + "', which this runner" + " does not check");
        }
        String name = Json.required(c, "optimizer").asText();
        double baseLr = Json.required(c, "base_lr").asDouble();
        float[] p = Json.floats(Json.required(c, "p0"));
        Objective f = Objectives.diagonalQuadratic(Json.doubles(Json.required(c, "a")), Json.doubles(c.get("b")));
        List<ParamGroup> groups = new ArrayList<>();
        for (JsonNode g : Json.required(c, "groups")) {
            String group = Json.required(g, "name").asText();
            ParamGroup pg = ParamGroup.of(group, selector(Json.required(g, "indices")));
            if (Json.required(g, "in_optimizer").asBoolean()) {
                Map<String, Object> hyper = Json.map(Json.required(g, "hyper"));
                double multiplier = Json.required(g, "lr_multiplier").asDouble();
                cmp.value(baseLr * multiplier, ((Number) hyper.get("lr")).doubleValue());
                pg = pg.optimizer(optimizer(name, hyper)).lrMultiplier(multiplier);
            } else {
                if (!g.path("hyper").isNull() || !g.path("lr_multiplier").isNull())
                    throw new IllegalArgumentException(
                            "unsupported: frozen group '" + group + "' has hyper-parameters");
                pg = pg.frozen();
            }
            groups.add(pg);
        }
        Optimizer opt = optimizer(name, Map.of("lr", baseLr))
                .groups(groups.toArray(ParamGroup[]::new))
                .forTensors(List.of("p"), new int[] {0, p.length});
        OptimizerState state = opt.newState(p.length);
        float[] g = new float[p.length];
        JsonNode grads = c.get("grads"), after = Json.required(c, "params_after_each_step");
        for (int k = 0; k < after.size(); k++) {
            f.gradient(p, g);
            if (grads != null) cmp.array(g, 0, grads.get(k));
            opt.step(backend, p, g, state, baseLr);
            cmp.array(p, 0, after.get(k));
        }
    }

    /** The descriptive (text) entries of an {@code averaging} block; its numbers are read below. */
    private static final java.util.Set<String> AVERAGING_TEXT =
            java.util.Set.of("avg_fn", "updated_after_steps", "first_update", "meaning");

    /**
     * AveragedModel over an optimizer trajectory: {@code kind} ema ({@code decay}) or swa ({@code
     * start_step}; null before it); checks the gradients, the parameters and the average after each step.
     */
    private void averaging(String file, int index, JsonNode c, Compare cmp) {
        for (var it = c.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("kind")
                    && !field.equals("averaging")
                    && !field.equals("averaged_after_each_step")
                    && !OPTIMIZER_CASE_FIELDS.contains(field))
                throw new IllegalArgumentException(
                        "unsupported: the case records '" + field + "', which this runner does not check");
        }
        JsonNode spec = Json.required(c, "averaging");
        String kind = Json.required(c, "kind").asText();
        for (var it = spec.fields(); it.hasNext(); ) {
            var e = it.next();
            boolean read =
                    kind.equals("ema") ? e.getKey().equals("decay") : e.getKey().equals("start_step");
            if (!read && !(AVERAGING_TEXT.contains(e.getKey()) && e.getValue().isTextual()))
                throw new IllegalArgumentException("unsupported: averaging." + e.getKey() + " of a " + kind + " case");
        }
        Averaging avg =
                switch (kind) {
                    case "ema" -> Averaging.ema(Json.required(spec, "decay").asDouble());
                    case "swa" ->
                        Averaging.swa(Json.required(spec, "start_step").asLong());
                    default -> throw new IllegalArgumentException("unsupported: averaging kind '" + kind + "'");
                };
        OptimizerCase oc = OptimizerCase.parse(file, index, c);
        Optimizer opt = oc.descentOptimizer();
        Objective f = oc.objective();
        float[] p = oc.start(), g = new float[p.length];
        OptimizerState state = opt.newState(p.length);
        Averaging.State avgState = avg.newState(p.length);
        JsonNode grads = c.get("grads"), averaged = c.get("averaged_after_each_step");
        if (averaged.size() != oc.steps())
            throw new IllegalArgumentException(averaged.size() + " averages for " + oc.steps() + " steps");
        for (int k = 0; k < oc.steps(); k++) {
            f.gradient(p, g);
            if (grads != null) cmp.array(g, 0, grads.get(k));
            opt.step(backend, p, g, state, opt.lr());
            cmp.array(p, 0, oc.expected()[k]);
            avg.update(backend, p, avgState, k);
            boolean none = averaged.get(k).isNull();
            if (none != (avgState.count() == 0))
                throw new IllegalArgumentException("after step " + k + " the expected average is "
                        + (none ? "null" : "set") + ", Descent's holds " + avgState.count() + " iterates");
            if (!none) cmp.array(avgState.average(), 0, averaged.get(k));
        }
    }

    /** A list of flat indices as a union of ranges. */
    private static ParamGroup.Selector selector(JsonNode indices) {
        List<ParamGroup.Selector> ranges = new ArrayList<>();
        for (int i = 0; i < indices.size(); ) {
            int from = indices.get(i).asInt(), j = i + 1;
            while (j < indices.size() && indices.get(j).asInt() == from + (j - i)) j++;
            ranges.add(ParamGroup.Selector.range(from, from + (j - i)));
            i = j;
        }
        return ParamGroup.Selector.anyOf(ranges.toArray(ParamGroup.Selector[]::new));
    }

    private static Optimizer optimizer(String name, Map<String, Object> hyper) {
        try {
            return Optimizers.fromSpec(name, hyper);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported: " + e.getMessage(), e);
        }
    }

    // ---- schedules: lr_at_step[k] is the lr of optimizer step k --------------------------------

    private static void schedule(JsonNode c, JsonNode root, Compare cmp) {
        String kind = Json.required(c, "kind").asText();
        Map<String, Object> params = Json.map(c.path("params"));
        double baseLr = Json.required(c, "base_lr").asDouble();
        JsonNode lrs = Json.required(c, "lr_at_step");
        if (kind.equals("reduce_on_plateau")) {
            ReduceOnPlateau plateau = ReduceOnPlateau.fromSpec(params, Schedules.constant(baseLr));
            JsonNode metrics =
                    c.has("plateau_metrics") ? c.get("plateau_metrics") : Json.required(root, "plateau_metrics");
            if (metrics.size() < lrs.size() - 1)
                throw new IllegalArgumentException(metrics.size() + " plateau metrics for " + lrs.size() + " steps");
            for (int k = 0; k < lrs.size(); k++) {
                cmp.value(plateau.at(k), lrs.get(k).asDouble());
                if (k < metrics.size()) plateau.report(metrics.get(k).asDouble());
            }
            return;
        }
        Schedule schedule = Schedules.fromSpec(kind, params, baseLr);
        for (int k = 0; k < lrs.size(); k++)
            cmp.value(schedule.at(k), lrs.get(k).asDouble());
        JsonNode momenta = c.get("momentum_at_step");
        if (momenta != null) {
            if (!(schedule instanceof OneCycle cycle))
                throw new IllegalArgumentException("momentum_at_step given for a " + kind + " schedule");
            for (int k = 0; k < momenta.size(); k++)
                cmp.value(cycle.momentumAt(k), momenta.get(k).asDouble());
        }
    }

    // ---- clipping over several tensors, as one flat gradient ---------------------------------

    private void clipping(JsonNode c, Compare cmp) {
        Clipping clip = Clipping.fromSpec(Json.map(c));
        JsonNode tensors = Json.required(c, "grads");
        int n = 0;
        for (JsonNode t : tensors) n += t.size();
        float[] g = new float[n];
        int off = 0;
        for (JsonNode t : tensors) {
            float[] part = Json.floats(t);
            System.arraycopy(part, 0, g, off, part.length);
            off += part.length;
        }
        double norm = clip.apply(backend, g, n);
        if (c.has("total_norm")) cmp.value(norm, c.get("total_norm").asDouble());
        off = 0;
        for (JsonNode t : Json.required(c, "clipped")) {
            cmp.array(g, off, t);
            off += t.size();
        }
        if (off != n) throw new IllegalArgumentException(off + " clipped values for " + n + " gradients");
    }

    // ---- losses -----------------------------------------------------------------------------

    /** The fields of a loss case this runner reads or checks; a case recording anything else is unsupported. */
    private static final List<String> LOSS_FIELDS = List.of(
            "loss",
            "reduction",
            "shape",
            "pred",
            "logits",
            "log_probs",
            "target",
            "target_class",
            "value",
            "grad",
            "label_smoothing",
            "class_weights",
            "pos_weight",
            "beta",
            "delta",
            "log_target",
            "note");

    private static void loss(JsonNode c, Compare cmp) {
        c.fieldNames().forEachRemaining(field -> {
            if (!LOSS_FIELDS.contains(field))
                throw new IllegalArgumentException(
                        "unsupported: the case records '" + field + "', which this runner does not check");
        });
        Loss loss = lossWithOptions(c);
        JsonNode shape = Json.required(c, "shape");
        int rows = shape.get(0).asInt();
        int cols = shape.size() > 1 ? shape.get(1).asInt() : 1;
        JsonNode input = c.has("pred") ? c.get("pred") : c.has("logits") ? c.get("logits") : c.get("log_probs");
        if (input == null) throw new IllegalArgumentException("a loss case needs 'pred', 'logits' or 'log_probs'");
        float[] pred = Json.floats(input);
        float[] target = Json.floats(c.has("target_class") ? c.get("target_class") : Json.required(c, "target"));
        int expectTargets = loss.classIndexTargets() ? rows : rows * cols;
        if (pred.length != rows * cols || target.length != expectTargets)
            throw new IllegalArgumentException("shape " + shape + " does not match " + pred.length + " predictions and "
                    + target.length + " targets");
        float[] grad = new float[pred.length];
        double value = loss.valueAndGradient(pred, 0, target, 0, rows, cols, grad, 0, 1f);
        cmp.value(value, Json.required(c, "value").asDouble());
        cmp.array(grad, 0, Json.required(c, "grad"));
    }

    /**
     * The case's loss with its options: {@code label_smoothing}, {@code class_weights} (null = none),
     * {@code pos_weight}, {@code beta}, {@code delta}, {@code log_target}. An option set on a loss
     * that does not take it makes the case unsupported.
     */
    private static Loss lossWithOptions(JsonNode c) {
        Loss.Reduction red = reduction(c);
        String name = Json.required(c, "loss").asText();
        if (c.has("beta")) name = name + "(beta=" + c.get("beta").asDouble() + ")";
        if (c.has("delta")) name = name + "(delta=" + c.get("delta").asDouble() + ")";
        Loss loss;
        try {
            loss = Loss.named(name, red);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported: " + e.getMessage(), e);
        }
        double smoothing = c.path("label_smoothing").asDouble(0);
        if (smoothing != 0) {
            if (!(loss instanceof SoftmaxCrossEntropy ce)) throw unsupportedOption("label_smoothing", loss);
            loss = ce.labelSmoothing(smoothing);
        }
        JsonNode classWeights = c.get("class_weights");
        if (classWeights != null && !classWeights.isNull()) {
            double[] w = Json.doubles(classWeights);
            if (loss instanceof SoftmaxCrossEntropy ce) loss = ce.classWeights(w);
            else if (loss instanceof Nll nll) loss = nll.classWeights(w);
            else throw unsupportedOption("class_weights", loss);
        }
        JsonNode posWeight = c.get("pos_weight");
        if (posWeight != null && !posWeight.isNull()) {
            if (!(loss instanceof BceWithLogits bce)) throw unsupportedOption("pos_weight", loss);
            loss = bce.posWeight(Json.doubles(posWeight));
        }
        if (c.path("log_target").asBoolean(false)) {
            if (!(loss instanceof KlDivergence kl)) throw unsupportedOption("log_target", loss);
            loss = kl.logTarget(true);
        }
        return loss;
    }

    private static IllegalArgumentException unsupportedOption(String option, Loss loss) {
        return new IllegalArgumentException("unsupported loss option " + option + " for " + loss);
    }

    /** A case's {@code reduction} (default mean); one Descent has not is unsupported. */
    private static Loss.Reduction reduction(JsonNode c) {
        String name = c.path("reduction").asText("mean");
        for (Loss.Reduction r : Loss.Reduction.values()) if (r.name().equalsIgnoreCase(name)) return r;
        throw new IllegalArgumentException(
                "unsupported reduction '" + name + "' (Descent has mean, sum and batchmean)");
    }

    // ---- MLP gradients at init and a short SGD run -----------------------------------------

    private void mlp(JsonNode c, Compare cmp) {
        JsonNode sizes = Json.required(c, "sizes");
        Activation hidden = Activation.named(c.path("hidden_activation").asText("relu"));
        Sequential.Builder b = Sequential.input(sizes.get(0).asInt());
        for (int l = 1; l < sizes.size(); l++)
            b.dense(sizes.get(l).asInt(), l == sizes.size() - 1 ? Activation.IDENTITY : hidden);
        Sequential model = b.build();
        Loss.Reduction red = reduction(c);
        Loss loss = Loss.named(Json.required(c, "loss").asText(), red);

        List<JsonNode> init = layersInOrder(Json.required(c, "init"), model);
        float[] params = new float[model.parameterCount()];
        for (int l = 0; l < init.size(); l++) {
            Dense d = (Dense) model.layers().get(l);
            copyInto(
                    Json.floats(Json.required(init.get(l), "weight_out_by_in")),
                    params,
                    d.weightOffset(),
                    d.weightCount());
            copyInto(Json.floats(Json.required(init.get(l), "bias")), params, d.biasOffset(), d.outputs());
        }
        float[] x = Json.floats(Json.required(c, "x"));
        float[] y = Json.floats(Json.required(c, "y"));
        int rows = x.length / model.inputs();
        int targetWidth = loss.classIndexTargets() ? 1 : model.outputs();
        if (rows * model.inputs() != x.length || rows * targetWidth != y.length)
            throw new IllegalArgumentException(
                    x.length + " inputs and " + y.length + " targets do not fit sizes " + sizes + " and loss " + loss);

        JsonNode train = c.get("train");
        Optimizer opt = train == null
                ? Optimizers.sgd(0)
                : parseOptimizer(Json.required(train, "optimizer").asText());
        try (TrainingSession s = TrainingSession.open(backend, model, loss, opt, params)) {
            float[] grads = new float[params.length];
            cmp.value(
                    s.accumulate(x, y, rows, 1f),
                    Json.required(c, "loss_at_init").asDouble());
            s.readGradient(grads);
            compareLayers(grads, Json.required(c, "grads_at_init"), model, cmp);
        }
        if (train == null) return;
        try (TrainingSession s = TrainingSession.open(backend, model, loss, opt, params)) {
            runPlan(s, Json.required(train, "plan").asText(), x, y, rows, targetWidth, opt.lr(), train, cmp);
            float[] trained = new float[params.length];
            s.readParameters(trained);
            compareLayers(trained, Json.required(train, "params_after"), model, cmp);
        }
    }

    /** Compares a flat buffer with per-layer {"weight": [...], "bias": [...]} objects. */
    private static void compareLayers(float[] flat, JsonNode layers, Sequential model, Compare cmp) {
        List<JsonNode> expected = layersInOrder(layers, model);
        for (int l = 0; l < expected.size(); l++) {
            Dense d = (Dense) model.layers().get(l);
            cmp.array(flat, d.weightOffset(), Json.required(expected.get(l), "weight"));
            cmp.array(flat, d.biasOffset(), Json.required(expected.get(l), "bias"));
        }
    }

    private static void runPlan(
            TrainingSession s,
            String plan,
            float[] x,
            float[] y,
            int rows,
            int targetWidth,
            double lr,
            JsonNode train,
            Compare cmp) {
        Matcher m = PLAN.matcher(plan.trim());
        if (!m.matches()) throw new IllegalArgumentException("unsupported training plan: " + plan);
        int fullSteps = Integer.parseInt(m.group(1));
        int miniSteps = Integer.parseInt(m.group(2));
        int start = Integer.parseInt(m.group(3)),
                stride = Integer.parseInt(m.group(4)),
                extra = Integer.parseInt(m.group(5));
        if (start != stride) throw new IllegalArgumentException("unsupported training plan: " + plan);
        int inputs = s.model().inputs();
        int batch = extra + 1;
        float[] bx = new float[batch * inputs];
        float[] by = new float[batch * targetWidth];
        JsonNode losses = Json.required(train, "loss_before_each_step");
        int step = 0;
        for (int k = 0; k < fullSteps; k++, step++) {
            cmp.value(s.accumulate(x, y, rows, 1f), losses.get(step).asDouble());
            s.step(lr);
        }
        for (int k = 0; k < miniSteps; k++, step++) {
            for (int r = 0; r < batch; r++) {
                int row = (start * k + r) % rows;
                System.arraycopy(x, row * inputs, bx, r * inputs, inputs);
                System.arraycopy(y, row * targetWidth, by, r * targetWidth, targetWidth);
            }
            cmp.value(s.accumulate(bx, by, batch, 1f), losses.get(step).asDouble());
            s.step(lr);
        }
    }

    /** The "layerN" objects sorted by N; their count must equal the model's dense layers. */
    private static List<JsonNode> layersInOrder(JsonNode layers, Sequential model) {
        List<Map.Entry<Integer, JsonNode>> found = new ArrayList<>();
        layers.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (!k.startsWith("layer"))
                throw new IllegalArgumentException("unexpected key '" + k + "' (expected layerN)");
            found.add(Map.entry(Integer.parseInt(k.substring(5)), e.getValue()));
        });
        found.sort(Map.Entry.comparingByKey());
        if (found.size() != model.layers().size())
            throw new IllegalArgumentException(found.size() + " layers given, the model has "
                    + model.layers().size() + " dense layers");
        return found.stream().map(Map.Entry::getValue).toList();
    }

    private static void copyInto(float[] src, float[] dst, int offset, int expected) {
        if (src.length != expected)
            throw new IllegalArgumentException("expected " + expected + " values, got " + src.length);
        System.arraycopy(src, 0, dst, offset, expected);
    }

    /** Parses a PyTorch-style constructor call such as {@code SGD(lr=0.05,momentum=0.9)}. */
    static Optimizer parseOptimizer(String call) {
        Matcher m = CALL.matcher(call);
        if (!m.matches()) throw new IllegalArgumentException("cannot parse optimizer '" + call + "'");
        Map<String, Object> hyper = new LinkedHashMap<>();
        for (String part : m.group(2).split(",")) {
            if (part.isBlank()) continue;
            String[] kv = part.split("=", 2);
            if (kv.length != 2)
                throw new IllegalArgumentException("cannot parse '" + part + "' in optimizer '" + call + "'");
            String v = kv[1].trim();
            hyper.put(
                    kv[0].trim(),
                    v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")
                            ? (Object) Boolean.parseBoolean(v)
                            : (Object) Double.parseDouble(v));
        }
        return Optimizers.fromSpec(m.group(1), hyper);
    }
}
