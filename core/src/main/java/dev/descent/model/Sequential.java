package dev.descent.model;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.data.Sizes;
import dev.descent.data.SparseBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * A model as a sequence of {@link Layer}s, each feeding the next, whose parameters live in one flat
 * {@code float[]}: layer by layer, each layer's parameters in the order it declares them. Layer i is
 * named {@code layers.i} and its parameters {@code layers.i.weight}, ... (PyTorch's {@code
 * state_dict} names for a module holding an {@code nn.Sequential} called {@code layers}).
 *
 * <p>An MLP is a Sequential of {@link Dense} layers ({@link Models#mlp}); linear, logistic and
 * softmax regression are one-layer ones. Immutable; the buffers a forward/backward pass needs live
 * in a {@link Workspace}.
 */
public final class Sequential {

    /** A parameter tensor placed in the flat buffer: its full name, shape, offset and size. */
    public record Slot(String name, int[] shape, int offset, int size) {
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** First index after this tensor. */
        public int end() {
            return offset + size;
        }
    }

    private final int[] inputShape;
    private final List<Layer> layers;
    private final List<int[]> shapes; // shapes.get(i) is layer i's input shape; the last the output's
    private final List<Slot> slots;
    private final List<List<Parameter>> declared;
    private final int[][] offsets;
    private final int parameterCount;
    private final List<Slot> bufferSlots;
    private final List<List<Parameter>> declaredBuffers;
    private final int[][] bufferOffsets;
    private final int bufferCount;
    private final Init init;
    /**
     * {@code next[l]} is the activation of layer l+1 when layer l is a {@link Dense} without one and
     * layer l+1 an {@link ActivationLayer}: the forward pass then fuses them into one {@link
     * Backend#dense} call (the activation in the product's epilogue), and {@link Init#AUTO} picks the
     * dense layer's scheme for that activation, so {@code .dense(128).activation(RELU)} computes
     * exactly what {@code .dense(128, RELU)} does.
     */
    private final Activation[] next;
    /**
     * {@code poolFirst[l]}: layer l is a ReLU and layer l+1 a {@link MaxPool2D}. The passes then pool
     * first and apply the ReLU to the pooled values, a quarter of them for a 2×2 window: ReLU is
     * monotone, so {@code relu(max(window)) = max(relu(window))}, and the gradient reaches the same
     * input (the ReLU's gradient is 0 where the window's maximum is not positive, whichever element
     * the pool picks then). The same bits as the two layers one after the other; the ReLU's own
     * output buffer is left unwritten.
     */
    private final boolean[] poolFirst;

    private Sequential(int[] inputShape, List<Layer> layers, Init init) {
        if (layers.isEmpty())
            throw new IllegalArgumentException("a model needs at least one layer (dense(...) or add(layer))");
        this.inputShape = inputShape.clone();
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
        this.init = init;
        List<int[]> sh = new ArrayList<>();
        List<Slot> sl = new ArrayList<>();
        List<List<Parameter>> dec = new ArrayList<>();
        this.offsets = new int[layers.size()][];
        this.bufferOffsets = new int[layers.size()][];
        List<Slot> bsl = new ArrayList<>();
        List<List<Parameter>> bdec = new ArrayList<>();
        int[] shape = this.inputShape;
        long offset = 0, bufferOffset = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            sh.add(shape);
            int[] out = chain(i, l, shape);
            List<Parameter> ps = List.copyOf(l.parameters(shape.clone()));
            dec.add(ps);
            offsets[i] = new int[ps.size()];
            for (int p = 0; p < ps.size(); p++) {
                Parameter par = ps.get(p);
                int n = par.size();
                if (!Sizes.fitsArray(offset + n))
                    throw new IllegalArgumentException("the model's parameters up to " + layerName(i) + "." + par.name()
                            + " (" + (offset + n) + ") are more than one float array holds (" + Sizes.MAX_ARRAY + ")");
                offsets[i][p] = (int) offset;
                sl.add(new Slot(layerName(i) + "." + par.name(), par.shape(), (int) offset, n));
                offset += n;
            }
            List<Parameter> bs = List.copyOf(l.buffers(shape.clone()));
            bdec.add(bs);
            bufferOffsets[i] = new int[bs.size()];
            for (int p = 0; p < bs.size(); p++) {
                Parameter buf = bs.get(p);
                int n = buf.size();
                if (!Sizes.fitsArray(bufferOffset + n))
                    throw new IllegalArgumentException("the model's buffers up to " + layerName(i) + "." + buf.name()
                            + " are more than one float array holds (" + Sizes.MAX_ARRAY + ")");
                bufferOffsets[i][p] = (int) bufferOffset;
                bsl.add(new Slot(layerName(i) + "." + buf.name(), buf.shape(), (int) bufferOffset, n));
                bufferOffset += n;
            }
            shape = out;
        }
        sh.add(shape);
        this.bufferSlots = Collections.unmodifiableList(bsl);
        this.declaredBuffers = Collections.unmodifiableList(bdec);
        this.bufferCount = (int) bufferOffset;
        this.shapes = Collections.unmodifiableList(sh);
        this.slots = Collections.unmodifiableList(sl);
        this.declared = Collections.unmodifiableList(dec);
        this.parameterCount = (int) offset;
        this.next = new Activation[layers.size()];
        for (int l = 0; l + 1 < layers.size(); l++)
            if (layers.get(l) instanceof Dense d
                    && d.activation().kind() == Activation.Kind.IDENTITY
                    && layers.get(l + 1) instanceof ActivationLayer f) next[l] = f.function();
        this.poolFirst = new boolean[layers.size()];
        for (int l = 0; l + 1 < layers.size(); l++)
            poolFirst[l] = layers.get(l) instanceof ActivationLayer f
                    && f.function().kind() == Activation.Kind.RELU
                    && layers.get(l + 1) instanceof MaxPool2D
                    && (l == 0 || next[l - 1] == null);
    }

    /**
     * Layer i's output shape for the given input shape.
     *
     * @throws IllegalArgumentException naming the layer and the shape if it cannot take that input
     */
    private static int[] chain(int i, Layer l, int[] shape) {
        try {
            int[] out = l.outputShape(shape.clone());
            width(out);
            if (l.scratchPerRow(shape.clone()) < 0) throw new IllegalArgumentException("scratchPerRow is negative");
            if (l.scratchFixed(shape.clone()) < 0) throw new IllegalArgumentException("scratchFixed is negative");
            return out;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "layer " + layerName(i) + " (" + l.kind() + ") cannot take input shape " + Arrays.toString(shape)
                            + ": " + e.getMessage(),
                    e);
        }
    }

    /** The name of layer i in a model: {@code layers.i}. */
    public static String layerName(int i) {
        return "layers." + i;
    }

    /** Starts a model that takes {@code inputs} features. */
    public static Builder input(int inputs) {
        return new Builder(new int[] {inputs});
    }

    /**
     * Starts a model that takes images of shape {@code [channels, height, width]}: rows of {@code
     * channels·height·width} floats in NCHW order (element (c, h, w) at {@code c·H·W + h·W + w}).
     */
    public static Builder image(int channels, int height, int width) {
        return new Builder(new int[] {channels, height, width});
    }

    /**
     * Starts a model whose examples have the given shape, e.g. {@code [C, H, W]} for images (a row
     * holds one example flat, {@code c·H·W + h·W + w}).
     */
    public static Builder inputShape(int... shape) {
        if (shape == null || shape.length == 0)
            throw new IllegalArgumentException("a model's input shape needs at least one dimension");
        return new Builder(shape);
    }

    /** Builds a model layer by layer; each call checks that the layer takes the previous one's output. */
    public static final class Builder {
        private final List<Layer> layers = new ArrayList<>();
        private final int inputs;
        private final int[] inputShape;
        private int[] shape;

        private int offset;
        private Init init = Init.AUTO;

        private Builder(int[] inputShape) {
            for (int d : inputShape)
                if (d <= 0)
                    throw new IllegalArgumentException(
                            inputShape.length == 1
                                    ? "model inputs must be > 0, got " + d
                                    : "model input shape " + Arrays.toString(inputShape) + " must have dimensions > 0");
            this.inputs = width(inputShape);
            this.inputShape = inputShape.clone();
            this.shape = inputShape.clone();
        }

        /**
         * Adds a layer. A {@link Dense} is placed at the current end of the parameter buffer.
         *
         * @throws IllegalArgumentException naming the layer and the shapes if it cannot take the
         *     previous layer's output
         */
        public Builder add(Layer layer) {
            if (layer == null) throw new IllegalArgumentException("layer " + layerName(layers.size()) + " is null");
            if (layer instanceof Dense d) layer = new Dense(d.inputs(), d.outputs(), d.activation(), offset);
            int[] out = chain(layers.size(), layer, shape);
            int count = 0;
            for (Parameter p : layer.parameters(shape.clone())) count += p.size();
            layers.add(layer);
            shape = out;
            offset += count;
            return this;
        }

        /** Adds a dense layer of the given width with the activation fused into it. */
        public Builder dense(int width, Activation activation) {
            if (shape.length != 1)
                throw new IllegalArgumentException("layer " + layerName(layers.size())
                        + " (dense) needs a flat input, got shape " + Arrays.toString(shape)
                        + " (put a flatten layer before it)");
            return add(new Dense(shape[0], width, activation, offset));
        }

        /** Adds a dense layer with no activation (identity), as an output layer usually is. */
        public Builder dense(int width) {
            return dense(width, Activation.IDENTITY);
        }

        /**
         * Adds a batch norm over the previous layer's output with PyTorch's defaults (eps 1e-5,
         * momentum 0.1): {@link BatchNorm#batchNorm1d} over {@code [C]} or {@code [C, L]}, {@link
         * BatchNorm#batchNorm2d} over {@code [C, H, W]}.
         */
        public Builder batchNorm() {
            return batchNorm(BatchNorm.DEFAULT_EPS, BatchNorm.DEFAULT_MOMENTUM);
        }

        /** {@link #batchNorm()} with the given eps and momentum. */
        public Builder batchNorm(double eps, double momentum) {
            if (shape.length > 3)
                throw new IllegalArgumentException("layer " + layerName(layers.size())
                        + " (batch_norm) takes input shape [C], [C, L] or [C, H, W], got " + Arrays.toString(shape));
            return add(new BatchNorm(shape[0], shape.length == 3 ? 2 : 1, eps, momentum));
        }

        /** Adds an element-wise activation layer. */
        public Builder activation(Activation f) {
            return add(new ActivationLayer(f));
        }

        /**
         * Adds a {@link Conv2D} from the previous output's channels to {@code outChannels}, with a
         * square kernel, stride and zero padding (PyTorch's {@code nn.Conv2d(in, out, kernel, stride,
         * padding)}).
         */
        public Builder conv2d(int outChannels, int kernel, int stride, int padding) {
            if (shape.length != 3)
                throw new IllegalArgumentException("layer " + layerName(layers.size())
                        + " (conv2d) needs an image input [channels, height, width], got shape "
                        + Arrays.toString(shape) + " (start the model with Models.image(c, h, w))");
            return add(new Conv2D(shape[0], outChannels, kernel, stride, padding));
        }

        /** Adds a {@link Conv2D} with stride 1 and no padding. */
        public Builder conv2d(int outChannels, int kernel) {
            return conv2d(outChannels, kernel, 1, 0);
        }

        /** Adds a {@link MaxPool2D} over {@code kernel×kernel} windows, {@code stride} apart. */
        public Builder maxPool2d(int kernel, int stride) {
            return add(new MaxPool2D(kernel, stride));
        }

        /** Adds a {@link MaxPool2D} whose stride is its kernel size (PyTorch's default). */
        public Builder maxPool2d(int kernel) {
            return maxPool2d(kernel, kernel);
        }

        /** Adds an {@link AvgPool2D} over {@code kernel×kernel} windows, {@code stride} apart. */
        public Builder avgPool2d(int kernel, int stride) {
            return add(new AvgPool2D(kernel, stride));
        }

        /** Adds an {@link AvgPool2D} whose stride is its kernel size (PyTorch's default). */
        public Builder avgPool2d(int kernel) {
            return avgPool2d(kernel, kernel);
        }

        /** Adds a {@link Flatten}: {@code [c, h, w]} to {@code [c·h·w]}, as a dense layer needs. */
        public Builder flatten() {
            return add(new Flatten());
        }

        /** The weight initialisation scheme ({@link Init#AUTO} by default). */
        public Builder init(Init init) {
            if (init == null) throw new IllegalArgumentException("init must not be null");
            this.init = init;
            return this;
        }

        public int inputs() {
            return inputs;
        }

        public Sequential build() {
            return new Sequential(inputShape, layers, init);
        }
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Features per input row. */
    public int inputs() {
        return width(inputShape);
    }

    /** One example's input shape: {@code [features]}, or {@code [channels, height, width]} for images. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Floats per output row. */
    public int outputs() {
        return width(shapes.get(shapes.size() - 1));
    }

    /** Layer i's input shape (i = number of layers gives the model's output shape). */
    public int[] shapeBefore(int i) {
        return shapes.get(i).clone();
    }

    public int parameterCount() {
        return parameterCount;
    }

    /** Every parameter tensor in buffer order, with its full name ({@code layers.0.weight}). */
    public List<Slot> parameters() {
        return slots;
    }

    public Init init() {
        return init;
    }

    /** Floats in the model's flat buffer of non-trainable state ({@link Layer#buffers}); 0 for most models. */
    public int bufferCount() {
        return bufferCount;
    }

    /** Every buffer tensor in buffer order, with its full name ({@code layers.1.running_mean}). */
    public List<Slot> buffers() {
        return bufferSlots;
    }

    /** The buffers as a fresh model starts them (BatchNorm: running mean 0, variance 1, 0 batches). */
    public float[] initialBuffers() {
        float[] b = new float[bufferCount];
        SplittableRandom rnd = new SplittableRandom(0);
        for (int i = 0; i < layers.size(); i++) {
            List<Parameter> bs = declaredBuffers.get(i);
            for (int j = 0; j < bs.size(); j++)
                bs.get(j).init().fill(b, bufferOffsets[i][j], bs.get(j).size(), init, rnd);
        }
        return b;
    }

    /**
     * Recomputes the running statistics in {@code buffers} for the parameters {@code params}, PyTorch's
     * {@code torch.optim.swa_utils.update_bn}: resets every buffer to its {@linkplain #initialBuffers
     * initial value}, then runs training passes over {@code x[rows×inputs]} in order, in batches of
     * {@code batchSize} rows (a last batch of one row joins the one before it: a batch norm cannot
     * normalise one row), with each running statistic the equal-weight average over the batches
     * ({@code momentum=None}). Overwrites {@code buffers}; reads params and x. Allocates its own
     * workspace (once per call, not per batch). A model without buffers is left as it is.
     */
    public void recomputeStatistics(Backend b, float[] params, float[] buffers, float[] x, int rows, int batchSize) {
        if (bufferCount == 0) return;
        if (buffers.length != bufferCount)
            throw new IllegalArgumentException(
                    "buffer array has " + buffers.length + " floats, model " + this + " has " + bufferCount);
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        System.arraycopy(initialBuffers(), 0, buffers, 0, bufferCount);
        int in = inputs(), chunk = Math.min(rows, batchSize + 1);
        Workspace ws = workspace(chunk);
        float[] part = new float[chunk * in];
        for (LayerContext c : ws.contexts) c.cumulativeStatistics = true;
        int batch = 0;
        for (int start = 0; start < rows; batch++) {
            int n = Math.min(batchSize, rows - start);
            if (rows - start - n == 1) n++; // no batch of one row
            System.arraycopy(x, start * in, part, 0, n * in);
            ws.training(0, 0, batch);
            forward(b, params, buffers, part, n, ws);
            start += n;
        }
    }

    /** Fresh parameters drawn with this model's {@link Init} scheme from the given seed. */
    public float[] initialParameters(long seed) {
        float[] p = new float[parameterCount];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < layers.size(); i++) {
            List<Parameter> ps = declared.get(i);
            Init scheme = next[i] == null ? init : init.resolve(next[i]);
            for (int j = 0; j < ps.size(); j++)
                ps.get(j).init().fill(p, offsets[i][j], ps.get(j).size(), scheme, rnd);
        }
        return p;
    }

    /** Floats a workspace holds per row: every layer's output and scratch, and two gradient buffers. */
    public long workspaceFloatsPerRow() {
        long perRow = 0;
        long widest = inputs();
        for (int i = 0; i < layers.size(); i++) {
            int out = width(shapes.get(i + 1));
            perRow += out + layers.get(i).scratchPerRow(shapes.get(i).clone());
            widest = Math.max(widest, out);
        }
        return perRow + 2 * widest;
    }

    /** A workspace for batches of up to {@code maxRows} rows (it grows if a larger batch comes). */
    public Workspace workspace(int maxRows) {
        return new Workspace(this, maxRows, float[]::new);
    }

    /**
     * {@link #workspace(int)} whose arrays (each layer's output and scratch, the two delta buffers)
     * come from {@code allocator}, called with each array's length when the workspace is made and
     * again for every array when it grows ({@link Workspace#reserve}). A device session hands out
     * <em>handles</em> of device memory there: arrays that stand for a device slice and that only its
     * backend's operations resolve, as the gpu module's training session does.
     */
    public Workspace workspace(int maxRows, IntFunction<float[]> allocator) {
        if (allocator == null) throw new IllegalArgumentException("allocator must not be null");
        return new Workspace(this, maxRows, allocator);
    }

    /**
     * Forward pass over {@code x[rows×inputs]} (row-major, from offset 0). Reads params and x;
     * overwrites the workspace's activations. Returns the array whose first {@code rows×outputs}
     * elements are the model's output (owned by the workspace: valid until its next use).
     */
    public float[] forward(Backend b, float[] params, float[] x, int rows, Workspace ws) {
        return forward(b, params, ws.ownBuffers, x, rows, ws);
    }

    /**
     * {@link #forward(Backend, float[], float[], int, Workspace)} with the model's buffers (running
     * statistics) in {@code buffers} ({@link #bufferCount} floats): an evaluation pass reads them, a
     * training pass also updates them. The shorter form uses buffers the workspace holds, starting at
     * their {@linkplain #initialBuffers initial values}.
     */
    public float[] forward(Backend b, float[] params, float[] buffers, float[] x, int rows, Workspace ws) {
        if (buffers.length != bufferCount)
            throw new IllegalArgumentException(
                    "buffer array has " + buffers.length + " floats, model " + this + " has " + bufferCount);
        ws.ensure(rows);
        return forwardFrom(0, b, params, buffers, x, rows, ws);
    }

    /**
     * {@link #forward} for CSR input ({@code x.rows()} rows of {@link #inputs()} features): the first
     * layer, which must be a {@link Dense}, multiplies the sparse rows by its weights ({@link
     * Backend#sparseLinear}); the other layers run as usual. Overwrites the workspace's activations;
     * returns the output as {@link #forward} does.
     *
     * @throws IllegalArgumentException if the first layer is not dense or the batch has another width
     */
    public float[] forwardSparse(Backend b, float[] params, SparseBatch x, Workspace ws) {
        return forwardSparse(b, params, ws.ownBuffers, x, ws);
    }

    /** {@link #forwardSparse(Backend, float[], SparseBatch, Workspace)} with the model's buffers, as {@link #forward}. */
    public float[] forwardSparse(Backend b, float[] params, float[] buffers, SparseBatch x, Workspace ws) {
        return forwardSparse(b, params, buffers, x, null, null, 0, 0, ws);
    }

    /**
     * {@link #forwardSparse(Backend, float[], float[], SparseBatch, Workspace)} with the first layer's
     * weights held apart, for instance only the columns a batch uses, compacted: weight (o, j) is
     * {@code w[wOff + o×stride + j]} for every column j that {@code columns} (parallel to the batch's
     * values, replacing its column indices) names. The other parameters come from {@code params}.
     */
    public float[] forwardSparse(
            Backend b,
            float[] params,
            float[] buffers,
            SparseBatch x,
            int[] columns,
            float[] w,
            int wOff,
            int stride,
            Workspace ws) {
        Dense first = sparseInput(x);
        if (buffers.length != bufferCount)
            throw new IllegalArgumentException(
                    "buffer array has " + buffers.length + " floats, model " + this + " has " + bufferCount);
        int rows = x.rows();
        ws.ensure(rows);
        LayerContext c = prepare(ws.contexts[0], b, params, buffers, rows, ws);
        if (columns == null) first.forwardSparse(c, x, ws.a[0]);
        else first.forwardSparse(c, x, columns, w, wOff, stride, ws.a[0]);
        if (next[0] == null) return forwardFrom(1, b, params, buffers, ws.a[0], rows, ws);
        b.activate(next[0], ws.a[0], 0, ws.a[1], 0, rows * first.outputs()); // the dense + activation pair
        return forwardFrom(2, b, params, buffers, ws.a[1], rows, ws);
    }

    /**
     * {@link #backward} after {@link #forwardSparse} on the same batch and workspace: the first
     * layer's weight gradient is the transposed scatter of {@link Backend#sparseWeightGradient}; no
     * input gradient is computed. Reads and writes what {@link #backward} does.
     */
    public void backwardSparse(
            Backend b, float[] params, SparseBatch x, Workspace ws, float[] dOut, float[] grads, boolean accumulate) {
        backwardSparse(b, params, x, null, null, 0, 0, ws, dOut, grads, accumulate);
    }

    /**
     * {@link #backwardSparse(Backend, float[], SparseBatch, Workspace, float[], float[], boolean)}
     * after {@link #forwardSparse(Backend, float[], float[], SparseBatch, int[], float[], int, int,
     * Workspace)}: the first layer's weight gradient is added into {@code gw} in the layout of its
     * weights there ({@code gw[gwOff + o×stride + j]}), whatever {@code accumulate} says; the other
     * gradients go to {@code grads} as usual.
     */
    public void backwardSparse(
            Backend b,
            float[] params,
            SparseBatch x,
            int[] columns,
            float[] gw,
            int gwOff,
            int stride,
            Workspace ws,
            float[] dOut,
            float[] grads,
            boolean accumulate) {
        Dense first = sparseInput(x);
        int rows = x.rows();
        float[] dy = dOut;
        for (int l = layers.size() - 1; l >= 1; l--) {
            LayerContext c = ws.contexts[l];
            c.backend = b;
            c.params = params;
            c.grads = grads;
            c.rows = rows;
            c.accumulate = accumulate;
            if (poolFirst[l - 1]) { // a ReLU-then-pool pair (the first layer is dense: the ReLU is at 1 or later)
                float[] in = ws.delta[l & 1];
                poolFirstBackward(c, l--, ws, dy, in);
                dy = in;
                continue;
            }
            float[] in = ws.delta[(l - 1) & 1];
            layers.get(l).backward(c, ws.a[l - 1], ws.a[l], dy, in);
            dy = in;
        }
        LayerContext c = ws.contexts[0];
        c.backend = b;
        c.params = params;
        c.grads = grads;
        c.rows = rows;
        c.accumulate = accumulate;
        if (columns == null) first.backwardSparse(c, x, ws.a[0], dy);
        else first.backwardSparse(c, x, columns, gw, gwOff, stride, ws.a[0], dy);
    }

    /** The first layer as the dense layer that takes a sparse batch, checked against the batch's width. */
    private Dense sparseInput(SparseBatch x) {
        if (!(layers.get(0) instanceof Dense d))
            throw new IllegalArgumentException("sparse input needs a dense first layer, but " + layerName(0) + " is "
                    + layers.get(0).kind() + " (" + this + ")");
        if (x.features() != d.inputs())
            throw new IllegalArgumentException("a sparse batch of " + x.features()
                    + " features does not fit the model's input width " + d.inputs() + " (" + this + ")");
        return d;
    }

    private static LayerContext prepare(
            LayerContext c, Backend b, float[] params, float[] buffers, int rows, Workspace ws) {
        c.backend = b;
        c.params = params;
        c.grads = null;
        c.buffers = buffers;
        c.rows = rows;
        c.training = ws.training;
        c.seed = ws.seed;
        c.step = ws.step;
        c.microBatch = ws.microBatch;
        return c;
    }

    /** The forward pass from layer {@code first} on, whose input is {@code x}. */
    private float[] forwardFrom(
            int first, Backend b, float[] params, float[] buffers, float[] x, int rows, Workspace ws) {
        float[] in = x;
        for (int l = first; l < layers.size(); l++) {
            LayerContext c = prepare(ws.contexts[l], b, params, buffers, rows, ws);
            if (next[l] != null) { // dense + activation layer: one fused call, z into a[l], f(z) into a[l+1]
                Dense d = (Dense) layers.get(l);
                b.dense(
                        next[l],
                        in,
                        0,
                        params,
                        c.parameterOffset(0),
                        params,
                        c.parameterOffset(1),
                        ws.a[l],
                        0,
                        ws.a[l + 1],
                        0,
                        rows,
                        d.outputs(),
                        d.inputs());
                in = ws.a[++l];
                continue;
            }
            if (poolFirst[l]) { // ReLU, then max-pool: pool first, then the ReLU on the pooled values
                LayerContext pool = prepare(ws.contexts[l + 1], b, params, buffers, rows, ws);
                layers.get(l + 1).forward(pool, in, ws.a[l + 1]);
                b.activate(Activation.RELU, ws.a[l + 1], 0, ws.a[l + 1], 0, rows * pool.outputWidth());
                in = ws.a[++l];
                continue;
            }
            layers.get(l).forward(c, in, ws.a[l]);
            in = ws.a[l];
        }
        return in;
    }

    /**
     * The backward pass of a first convolution, ReLU and max-pool (layers 0–2, the pair run pool
     * first) when the model's input gradient is not wanted: the ReLU's gradient at the pooled values,
     * then the convolution's gradients straight from the pool's ({@link
     * Conv2D#backwardThroughMaxPool}). Reads dy (dLoss/d(pooled output)), x and the workspace;
     * writes what the three layers' passes would.
     */
    private void convolutionThroughPoolBackward(
            Conv2D conv,
            Backend b,
            float[] params,
            float[] grads,
            int rows,
            boolean accumulate,
            float[] x,
            Workspace ws,
            float[] dy) {
        LayerContext pool = ws.contexts[2], first = ws.contexts[0];
        float[] dPooled = reluGradientAtPooled(pool, 2, ws, dy);
        first.backend = b;
        first.params = params;
        first.grads = grads;
        first.rows = rows;
        first.accumulate = accumulate;
        conv.backwardThroughMaxPool(first, x, (MaxPool2D) layers.get(2), pool, dPooled, ws.delta[0]);
    }

    /**
     * The backward pass of the max-pool at layer l whose ReLU at l − 1 it ran before ({@link
     * #poolFirst}): the ReLU's gradient at the pooled values, then the pool's, into {@code dx} (the
     * ReLU's dx; it may be dy itself). Reads dy, the pooled output and the pool's argmax; overwrites
     * the workspace's delta buffer {@code (l − 1) & 1} and dx.
     */
    private void poolFirstBackward(LayerContext c, int l, Workspace ws, float[] dy, float[] dx) {
        layers.get(l).backward(c, null, ws.a[l], reluGradientAtPooled(c, l, ws, dy), dx);
    }

    /**
     * The ReLU's gradient at the pooled values of the pair whose pool is at l (context c): reads dy
     * and the pooled output; overwrites and returns the workspace's delta buffer {@code (l − 1) & 1}.
     */
    private static float[] reluGradientAtPooled(LayerContext c, int l, Workspace ws, float[] dy) {
        float[] pooled = ws.a[l], dPooled = ws.delta[(l - 1) & 1];
        c.backend()
                .activationGrad(Activation.RELU, pooled, 0, pooled, 0, dy, 0, dPooled, 0, c.rows() * c.outputWidth());
        return dPooled;
    }

    /**
     * Backward pass after {@link #forward} on the same x, rows and workspace. Reads params, x, the
     * workspace's activations and {@code dOut[rows×outputs]} (dLoss/dOutput); adds the parameter
     * gradients into {@code grads} (or overwrites them when {@code accumulate} is false).
     * Overwrites the workspace's delta buffers; dOut is not modified.
     */
    public void backward(
            Backend b,
            float[] params,
            float[] x,
            int rows,
            Workspace ws,
            float[] dOut,
            float[] grads,
            boolean accumulate) {
        backward(b, params, x, rows, ws, dOut, grads, accumulate, null);
    }

    /**
     * {@link #backward(Backend, float[], float[], int, Workspace, float[], float[], boolean)} that
     * also writes dLoss/dx ({@code rows×inputs}) into {@code dx} unless it is null.
     */
    public void backward(
            Backend b,
            float[] params,
            float[] x,
            int rows,
            Workspace ws,
            float[] dOut,
            float[] grads,
            boolean accumulate,
            float[] dx) {
        float[] dy = dOut;
        for (int l = layers.size() - 1; l >= 0; l--) {
            LayerContext c = ws.contexts[l];
            c.backend = b;
            c.params = params;
            c.grads = grads;
            c.rows = rows;
            c.accumulate = accumulate;
            if (l == 2 && poolFirst[1] && dx == null && layers.get(0) instanceof Conv2D conv) {
                convolutionThroughPoolBackward(conv, b, params, grads, rows, accumulate, x, ws, dy);
                return;
            }
            if (l >= 1 && poolFirst[l - 1]) { // the ReLU's dx goes where it would: delta (l − 2) & 1, dy's
                float[] in = l > 1 ? ws.delta[l & 1] : dx;
                poolFirstBackward(c, l--, ws, dy, in);
                dy = in;
                continue;
            }
            float[] in = l > 0 ? ws.delta[(l - 1) & 1] : dx;
            layers.get(l).backward(c, l == 0 ? x : ws.a[l - 1], ws.a[l], dy, in);
            dy = in;
        }
    }

    /** The buffers one forward/backward pass writes, sized for a maximum batch. Not thread-safe. */
    public static final class Workspace {
        private final Sequential model;
        private int capacity;
        final float[][] a;
        final float[][] delta = new float[2][];
        final LayerContext[] contexts;
        /** The buffers of passes that are given none: the model's initial buffers, updated by training passes. */
        final float[] ownBuffers;

        private final IntFunction<float[]> allocator;

        boolean training;
        long seed;
        long step;
        int microBatch;

        private Workspace(Sequential model, int rows, IntFunction<float[]> allocator) {
            this.model = model;
            this.allocator = allocator;
            int n = model.layers.size();
            this.a = new float[n][];
            this.contexts = new LayerContext[n];
            for (int l = 0; l < n; l++) {
                int[] in = model.shapes.get(l);
                contexts[l] = new LayerContext(
                        layerName(l),
                        model.offsets[l],
                        model.bufferOffsets[l],
                        in,
                        width(model.shapes.get(l + 1)),
                        model.layers.get(l).scratchPerRow(in.clone()),
                        model.layers.get(l).scratchFixed(in.clone()));
            }
            this.ownBuffers = model.initialBuffers();
            allocate(Math.max(1, rows));
        }

        /**
         * Makes the next passes training passes of micro-batch {@code microBatch} of optimizer step
         * {@code step} in a run seeded {@code seed} (what {@link Dropout} draws its masks from).
         */
        public Workspace training(long seed, long step, int microBatch) {
            this.training = true;
            this.seed = seed;
            this.step = step;
            this.microBatch = microBatch;
            return this;
        }

        /** Makes the next passes evaluation passes (the default): dropout is the identity. */
        public Workspace evaluation() {
            this.training = false;
            return this;
        }

        /** Capacity in rows. */
        public int capacity() {
            return capacity;
        }

        void ensure(int rows) {
            if (rows > capacity) allocate(rows);
        }

        /**
         * Grows the workspace to hold batches of {@code rows} rows now (every array anew from the
         * allocator), rather than inside the next pass; does nothing if it already holds them.
         */
        public void reserve(int rows) {
            ensure(rows);
        }

        private void allocate(int rows) {
            int widest = 1;
            for (int l = 0; l < a.length; l++) {
                LayerContext c = contexts[l];
                a[l] = allocator.apply(rows * c.outputWidth());
                c.allocateScratch(rows, allocator);
                // delta[] holds dLoss/d(input) of layers 1.. (the outputs of layers 0..); layer 0's dx is the
                // caller's buffer, so the model's input width (2²⁰ for hashed text) need not fit here
                widest = Math.max(widest, c.outputWidth());
            }
            delta[0] = allocator.apply(rows * widest);
            delta[1] = allocator.apply(rows * widest);
            capacity = rows;
        }
    }

    static int width(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a dimension <= 0");
            n *= d;
        }
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
        return (int) n;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Sequential(")
                .append(inputShape.length == 1 ? String.valueOf(inputs()) : Arrays.toString(inputShape));
        for (Layer l : layers) s.append(" -> ").append(l);
        return s.append(", ").append(parameterCount).append(" parameters)").toString();
    }
}
