package dev.descent.model;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stack of {@link Dense} layers whose parameters live in one flat {@code float[]}: layer by layer,
 * weight then bias. Linear, logistic and softmax regression are one-layer MLPs (see {@link Models}).
 * Immutable; the buffers a forward/backward pass needs live in a {@link Workspace}.
 */
public final class Mlp {

    private final List<Dense> layers;
    private final int parameterCount;
    private final Init init;

    private Mlp(List<Dense> layers, Init init) {
        if (layers.isEmpty()) throw new IllegalArgumentException("a model needs at least one dense layer");
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
        this.parameterCount = layers.get(layers.size() - 1).end();
        this.init = init;
    }

    /** Starts a model that takes {@code inputs} features; add layers with {@link Builder#dense}. */
    public static Builder input(int inputs) {
        return new Builder(inputs);
    }

    /** Builds an MLP layer by layer. */
    public static final class Builder {
        private final List<Dense> layers = new ArrayList<>();
        private final int inputs;
        private int width;
        private int offset;
        private Init init = Init.AUTO;

        private Builder(int inputs) {
            if (inputs <= 0) throw new IllegalArgumentException("model inputs must be > 0, got " + inputs);
            this.inputs = inputs;
            this.width = inputs;
        }

        /** Adds a dense layer of the given width and activation. */
        public Builder dense(int width, Activation activation) {
            Dense d = new Dense(this.width, width, activation, offset);
            layers.add(d);
            offset = d.end();
            this.width = width;
            return this;
        }

        /** Adds a dense layer with no activation (identity), as an output layer usually is. */
        public Builder dense(int width) {
            return dense(width, Activation.IDENTITY);
        }

        /** The weight initialisation scheme ({@link Init#AUTO} by default). */
        public Builder init(Init init) {
            this.init = init;
            return this;
        }

        public int inputs() {
            return inputs;
        }

        public Mlp build() {
            return new Mlp(layers, init);
        }
    }

    public List<Dense> layers() {
        return layers;
    }

    public int inputs() {
        return layers.get(0).inputs();
    }

    public int outputs() {
        return layers.get(layers.size() - 1).outputs();
    }

    public int parameterCount() {
        return parameterCount;
    }

    public Init init() {
        return init;
    }

    /** Fresh parameters drawn with this model's {@link Init} scheme from the given seed. */
    public float[] initialParameters(long seed) {
        float[] p = new float[parameterCount];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Dense d : layers) init.fill(d, p, rnd);
        return p;
    }

    /** A workspace for batches of up to {@code maxRows} rows (it grows if a larger batch comes). */
    public Workspace workspace(int maxRows) {
        return new Workspace(this, maxRows);
    }

    /**
     * Forward pass over {@code x[rows×inputs]} (row-major, from offset 0). Reads params and x;
     * overwrites the workspace's activations. Returns the array whose first {@code rows×outputs}
     * elements are the model's output (owned by the workspace: valid until its next use).
     */
    public float[] forward(Backend b, float[] params, float[] x, int rows, Workspace ws) {
        ws.ensure(rows);
        float[] in = x;
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            b.dense(
                    d.activation(),
                    in,
                    0,
                    params,
                    d.weightOffset(),
                    params,
                    d.biasOffset(),
                    ws.z[l],
                    0,
                    ws.a[l],
                    0,
                    rows,
                    d.outputs(),
                    d.inputs());
            in = ws.a[l];
        }
        return in;
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
        float[] delta = dOut;
        for (int l = layers.size() - 1; l >= 0; l--) {
            Dense d = layers.get(l);
            int n = rows * d.outputs();
            float[] dz = ws.delta[l & 1];
            b.activationGrad(d.activation(), ws.z[l], 0, ws.a[l], 0, delta, 0, dz, 0, n);
            float[] in = l == 0 ? x : ws.a[l - 1];
            b.matmulTN(dz, 0, in, 0, grads, d.weightOffset(), d.outputs(), d.inputs(), rows, accumulate);
            b.sumRows(dz, 0, rows, d.outputs(), grads, d.biasOffset(), accumulate);
            if (l > 0) {
                delta = ws.delta[(l - 1) & 1];
                b.matmul(dz, 0, params, d.weightOffset(), delta, 0, rows, d.inputs(), d.outputs(), false);
            }
        }
    }

    /** The buffers one forward/backward pass writes, sized for a maximum batch. Not thread-safe. */
    public static final class Workspace {
        private final Mlp model;
        private int capacity;
        final float[][] z;
        final float[][] a;
        final float[][] delta = new float[2][];

        private Workspace(Mlp model, int rows) {
            this.model = model;
            int n = model.layers.size();
            this.z = new float[n][];
            this.a = new float[n][];
            allocate(Math.max(1, rows));
        }

        /** Capacity in rows. */
        public int capacity() {
            return capacity;
        }

        void ensure(int rows) {
            if (rows > capacity) allocate(rows);
        }

        private void allocate(int rows) {
            int widest = 1;
            for (int l = 0; l < model.layers.size(); l++) {
                Dense d = model.layers.get(l);
                z[l] = new float[rows * d.outputs()];
                a[l] = d.activation().kind() == Activation.Kind.IDENTITY ? z[l] : new float[rows * d.outputs()];
                widest = Math.max(widest, Math.max(d.inputs(), d.outputs()));
            }
            delta[0] = new float[rows * widest];
            delta[1] = new float[rows * widest];
            capacity = rows;
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Mlp(").append(inputs());
        for (Dense d : layers) s.append(" -> ").append(d.outputs()).append(' ').append(d.activation());
        return s.append(", ").append(parameterCount).append(" parameters)").toString();
    }
}
