package dev.descent.optim;

import dev.descent.backend.Backend;
import dev.descent.optim.ParamGroup.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An optimizer split into parameter groups (PyTorch's {@code param_groups}): {@code base} for every
 * parameter no group selects (the group {@code "default"}), and each {@link ParamGroup} with its own
 * learning rate, weight decay, momentum or update rule, or frozen. Build with {@link
 * Optimizer#groups}; a training session {@link #forTensors resolves} the selectors against the
 * model's tensor names ({@code layers.0.weight}, {@code layers.0.bias}, ...) into a {@link Resolved}
 * optimizer over flat ranges.
 *
 * <p>Resolution fails, naming the group, for a selector that picks nothing or names a parameter the
 * model does not have, for groups that overlap, and for a setting the rule does not have.
 */
public record ParamGroups(Optimizer base, List<ParamGroup> groups) implements Optimizer {

    /** Name of the group of the parameters no group selects. */
    public static final String DEFAULT = "default";

    public ParamGroups {
        if (base == null) throw new IllegalArgumentException("parameter groups need a base optimizer");
        if (base instanceof ParamGroups || base instanceof Resolved)
            throw new IllegalArgumentException("parameter groups cannot be nested: " + base);
        groups = List.copyOf(groups);
        var names = new java.util.HashSet<String>();
        names.add(DEFAULT);
        for (ParamGroup g : groups) {
            if (!names.add(g.name()))
                throw new IllegalArgumentException("two parameter groups are named '" + g.name() + "'"
                        + (g.name().equals(DEFAULT) ? " ('default' holds the unselected parameters)" : ""));
            g.rule(base); // a setting the rule lacks fails here, at build, naming the group
            if (!g.isFrozen()) g.lrScale(base);
        }
    }

    /** Whether {@code o} is split into groups, resolved or not (backends without groups refuse it). */
    public static boolean isGrouped(Optimizer o) {
        return o instanceof ParamGroups || o instanceof Resolved;
    }

    /** The error of a backend that cannot run groups, naming the feature, the backend and the way out. */
    public static IllegalArgumentException unsupportedOn(String backend, Optimizer o) {
        return new IllegalArgumentException("parameter groups are not supported on the " + backend + " backend yet ("
                + o + "); run them on simd or scalar");
    }

    @Override
    public double lr() {
        return base.lr();
    }

    @Override
    public ParamGroups withLr(double lr) {
        return new ParamGroups(base.withLr(lr), groups);
    }

    /** Every group's momentum (as PyTorch's one-cycle sets it in every group). */
    @Override
    public ParamGroups withMomentum(double momentum) {
        List<ParamGroup> g = new ArrayList<>();
        for (ParamGroup p : groups) g.add(Double.isNaN(p.momentum()) || p.isFrozen() ? p : p.momentum(momentum));
        return new ParamGroups(base.withMomentum(momentum), g);
    }

    @Override
    public OptimizerState newState(int size) {
        throw new IllegalStateException("parameter groups select tensors by name: resolve them against the model"
                + " first (a training session does; forTensors(names, bounds))");
    }

    /**
     * Arrays of the parameters' length a resolved state holds at most (for memory checks): each
     * group's parameter and gradient copies, and its buffers twice (the group's and the whole one).
     */
    public long stateCopies() {
        long most = base.newState(1).buffers().size();
        for (ParamGroup g : groups)
            if (!g.isFrozen())
                most = Math.max(most, g.rule(base).newState(1).buffers().size());
        return 2 + 2 * most;
    }

    @Override
    public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
        throw new IllegalStateException("parameter groups select tensors by name: resolve them against the model"
                + " first (a training session does; forTensors(names, bounds))");
    }

    /**
     * The groups over the tensors {@code names[i] = [bounds[i], bounds[i+1])} of a flat buffer.
     *
     * @throws IllegalArgumentException naming the group: a selector that picks nothing or names a
     *     missing parameter or layer, overlapping groups
     */
    @Override
    public Resolved forTensors(List<String> names, int[] bounds) {
        if (names.size() != bounds.length - 1)
            throw new IllegalArgumentException(names.size() + " tensor names for " + (bounds.length - 1) + " tensors");
        int n = bounds[bounds.length - 1];
        int[] owner = new int[n]; // 0 = default, i + 1 = groups[i]
        List<Resolved.Slice> slices = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            boolean[] mask = new boolean[n];
            select(g.name(), g.selector(), names, bounds, mask);
            for (int i = 0; i < n; i++) {
                if (!mask[i]) continue;
                if (owner[i] != 0)
                    throw new IllegalArgumentException(
                            "parameter groups '" + groups.get(owner[i] - 1).name() + "' and '"
                                    + g.name() + "' overlap at " + describe(i, names, bounds)
                                    + "; a parameter belongs to one group");
                owner[i] = gi + 1;
            }
            int[] ranges = ranges(owner, gi + 1);
            if (ranges.length == 0)
                throw new IllegalArgumentException(
                        "parameter group '" + g.name() + "' (" + g.selector() + ") is empty");
            slices.add(new Resolved.Slice(g.name(), ranges, g.rule(base), g.isFrozen() ? 0 : g.lrScale(base)));
        }
        int[] rest = ranges(owner, 0);
        if (rest.length > 0) slices.add(0, new Resolved.Slice(DEFAULT, rest, base, 1));
        return new Resolved(this, n, slices, names, bounds.clone());
    }

    private static void select(String group, Selector s, List<String> names, int[] bounds, boolean[] mask) {
        if (s instanceof Selector.Names ns) {
            for (String pattern : ns.patterns())
                if (!mark(glob(pattern), names, bounds, mask))
                    throw new IllegalArgumentException("parameter group '" + group + "': no parameter is named '"
                            + pattern + "' (the model has " + names + ")");
        } else if (s instanceof Selector.Layers l) {
            for (int layer = l.first(); layer <= l.last(); layer++)
                if (!mark(glob("layers." + layer + ".*"), names, bounds, mask))
                    throw new IllegalArgumentException("parameter group '" + group + "': the model has no layer "
                            + layer + " (its parameters are " + names + ")");
        } else if (s instanceof Selector.Range r) {
            if (r.to() > mask.length)
                throw new IllegalArgumentException("parameter group '" + group + "': range " + r
                        + " runs past the model's " + mask.length + " parameters");
            Arrays.fill(mask, r.from(), r.to(), true);
        } else {
            for (Selector each : ((Selector.AnyOf) s).of()) select(group, each, names, bounds, mask);
        }
    }

    /** Marks the positions of every tensor whose name {@code re} matches; whether there was one. */
    private static boolean mark(Pattern re, List<String> names, int[] bounds, boolean[] mask) {
        boolean any = false;
        for (int t = 0; t < names.size(); t++)
            if (re.matcher(names.get(t)).matches()) {
                Arrays.fill(mask, bounds[t], bounds[t + 1], true);
                any = true;
            }
        return any;
    }

    /** A name pattern: {@code *} matches any run of characters, everything else itself. */
    private static Pattern glob(String pattern) {
        List<String> parts = new ArrayList<>();
        for (String part : pattern.split("\\*", -1)) parts.add(Pattern.quote(part));
        return Pattern.compile(String.join(".*", parts));
    }

    /** The runs of positions whose owner is {@code id}, as (from, to) pairs. */
    private static int[] ranges(int[] owner, int id) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < owner.length; i++) {
            if (owner[i] != id || (i > 0 && owner[i - 1] == id)) continue;
            int j = i;
            while (j < owner.length && owner[j] == id) j++;
            out.add(i);
            out.add(j);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String describe(int i, List<String> names, int[] bounds) {
        for (int t = 0; t < names.size(); t++) if (i < bounds[t + 1]) return names.get(t) + " (position " + i + ")";
        return "position " + i;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(base.toString()).append(" with groups [");
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup g = groups.get(i);
            if (i > 0) s.append("; ");
            s.append(g.name()).append(": ").append(g.selector());
            if (g.isFrozen()) s.append(" frozen");
            else {
                if (!Double.isNaN(g.lr())) s.append(" lr ").append(g.lr());
                if (g.lrMultiplier() != 1) s.append(" lr ×").append(g.lrMultiplier());
                if (!Double.isNaN(g.weightDecay())) s.append(" weight_decay ").append(g.weightDecay());
                if (!Double.isNaN(g.momentum())) s.append(" momentum ").append(g.momentum());
                if (g.optimizer() != null) s.append(" ").append(g.optimizer());
            }
        }
        return s.append("]").toString();
    }

    /**
     * Parameter groups resolved to flat ranges of one buffer of {@link #size} parameters: each step
     * runs every optimized group's rule on its ranges, at the step's lr times the group's scale.
     *
     * <p>The state is one {@link OptimizerState} over the whole buffer whose named buffers (the union
     * of the groups' names, e.g. {@code momentum_buffer}) hold each group's values at its positions
     * and zeros elsewhere, so a checkpoint stores it like any optimizer's. A step copies each group's
     * parameters, gradients and state into the group's own arrays, runs the rule, and copies the
     * parameters and state back: a copy in and out per group (the fused kernels work on whole arrays),
     * and nothing allocated. The copies go through {@link Backend#copy}, so on a device they stay there.
     */
    public static final class Resolved implements Optimizer {

        /** One group: its flat (from, to) ranges, rule (null = frozen) and lr scale. */
        record Slice(String name, int[] ranges, Optimizer rule, double lrScale) {
            int size() {
                int s = 0;
                for (int i = 0; i < ranges.length; i += 2) s += ranges[i + 1] - ranges[i];
                return s;
            }
        }

        private final ParamGroups spec;
        private final int size;
        private final List<Slice> slices;
        private final List<String> tensorNames;
        private final int[] tensorBounds;

        Resolved(ParamGroups spec, int size, List<Slice> slices, List<String> tensorNames, int[] tensorBounds) {
            this.spec = spec;
            this.tensorNames = List.copyOf(tensorNames);
            this.size = size;
            this.slices = List.copyOf(slices);
            this.tensorBounds = tensorBounds;
        }

        /** The groups' names, in step order ({@code "default"} first when it has parameters). */
        public List<String> groupNames() {
            return slices.stream().map(Slice::name).toList();
        }

        /**
         * The groups' layout for a checkpoint: per group, in step order, its {@code name}, {@code
         * ranges} (flat (from, to) pairs) and whether it is {@code frozen}. A resumed run must have
         * the same.
         */
        public List<Map<String, Object>> layout() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Slice s : slices) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("name", s.name);
                List<Object> ranges = new ArrayList<>();
                for (int r : s.ranges) ranges.add((long) r);
                g.put("ranges", ranges);
                g.put("frozen", s.rule == null);
                out.add(g);
            }
            return out;
        }

        /** Group {@code name}'s flat ranges as (from, to) pairs (a copy). */
        public int[] ranges(String name) {
            for (Slice s : slices) if (s.name.equals(name)) return s.ranges.clone();
            throw new IllegalArgumentException("no parameter group '" + name + "'; have " + groupNames());
        }

        @Override
        public double lr() {
            return spec.lr();
        }

        @Override
        public Optimizer withLr(double lr) {
            return spec.withLr(lr).forTensors(tensorNames, tensorBounds);
        }

        @Override
        public Optimizer withMomentum(double momentum) {
            return spec.withMomentum(momentum).forTensors(tensorNames, tensorBounds);
        }

        /** Per-group state: each group's own state and, per buffer, the group's and the whole buffer's array. */
        record State(OptimizerState[] groups, float[][] params, float[][] grads, float[][][] own, float[][][] whole) {}

        @Override
        public OptimizerState newState(int size) {
            if (size != this.size)
                throw new IllegalArgumentException(
                        "parameter groups were resolved for " + this.size + " parameters, got a state of " + size);
            int k = slices.size();
            var s = new State(
                    new OptimizerState[k], new float[k][], new float[k][], new float[k][][], new float[k][][]);
            Map<String, float[]> whole = new LinkedHashMap<>();
            for (int i = 0; i < k; i++) {
                Slice g = slices.get(i);
                if (g.rule == null) continue;
                int n = g.size();
                OptimizerState gs = g.rule.newState(n);
                gs.setTensorBounds(groupBounds(g.ranges));
                s.groups[i] = gs;
                s.params[i] = new float[n];
                s.grads[i] = new float[n];
                var names = new ArrayList<>(gs.buffers().keySet());
                s.own[i] = new float[names.size()][];
                s.whole[i] = new float[names.size()][];
                for (int b = 0; b < names.size(); b++) {
                    s.own[i][b] = gs.buffer(names.get(b));
                    s.whole[i][b] = whole.computeIfAbsent(names.get(b), x -> new float[size]);
                    scatter(s.own[i][b], s.whole[i][b], g.ranges); // a non-zero initial value (Adagrad's)
                }
            }
            OptimizerState state = OptimizerState.typed(size, s);
            for (var e : whole.entrySet()) state.withBuffer(e.getKey(), e.getValue());
            return state;
        }

        /** The model's tensor bounds within a group's concatenated ranges (for per-tensor rules: LARS, LAMB). */
        private int[] groupBounds(int[] ranges) {
            List<Integer> out = new ArrayList<>();
            out.add(0);
            int at = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                for (int t = 1; t < tensorBounds.length; t++) {
                    int lo = Math.max(ranges[r], tensorBounds[t - 1]), hi = Math.min(ranges[r + 1], tensorBounds[t]);
                    if (lo < hi) out.add(at += hi - lo);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public void step(Backend backend, float[] params, float[] grads, OptimizerState state, double lr) {
            update(backend, params, grads, state, lr, false, 0);
        }

        @Override
        public void step(
                Backend backend, float[] params, float[] grads, OptimizerState state, double lr, double momentum) {
            update(backend, params, grads, state, lr, true, momentum);
        }

        private void update(
                Backend backend,
                float[] params,
                float[] grads,
                OptimizerState state,
                double lr,
                boolean cycled,
                double momentum) {
            Optimizer.checkLr(lr);
            State s = state.view(State.class);
            long t = state.step();
            for (int i = 0; i < s.groups.length; i++) {
                OptimizerState gs = s.groups[i];
                if (gs == null) continue; // frozen
                Slice g = slices.get(i);
                gather(backend, params, s.params[i], g.ranges);
                gather(backend, grads, s.grads[i], g.ranges);
                for (int b = 0; b < s.own[i].length; b++) gather(backend, s.whole[i][b], s.own[i][b], g.ranges);
                gs.setStep(t);
                double rate = lr * g.lrScale;
                if (cycled) g.rule.step(backend, s.params[i], s.grads[i], gs, rate, momentum);
                else g.rule.step(backend, s.params[i], s.grads[i], gs, rate);
                scatter(backend, s.params[i], params, g.ranges);
                for (int b = 0; b < s.own[i].length; b++) scatter(backend, s.own[i][b], s.whole[i][b], g.ranges);
            }
            state.advance();
        }

        /** Copies {@code from}'s ranges, in order, into the compact {@code into} (with the backend: on a device, there). */
        private static void gather(Backend backend, float[] from, float[] into, int[] ranges) {
            int at = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                int n = ranges[r + 1] - ranges[r];
                backend.copy(from, ranges[r], into, at, n);
                at += n;
            }
        }

        /** The inverse of {@link #gather}: the compact {@code from} back into {@code into}'s ranges. */
        private static void scatter(Backend backend, float[] from, float[] into, int[] ranges) {
            int at = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                int n = ranges[r + 1] - ranges[r];
                backend.copy(from, at, into, ranges[r], n);
                at += n;
            }
        }

        private static void scatter(float[] from, float[] into, int[] ranges) {
            int at = 0;
            for (int r = 0; r < ranges.length; r += 2) {
                int n = ranges[r + 1] - ranges[r];
                System.arraycopy(from, at, into, ranges[r], n);
                at += n;
            }
        }

        @Override
        public String toString() {
            return spec.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Resolved r && r.spec.equals(spec) && r.size == size;
        }

        @Override
        public int hashCode() {
            return spec.hashCode() * 31 + size;
        }
    }
}
