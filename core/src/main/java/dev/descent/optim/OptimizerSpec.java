package dev.descent.optim;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@link Optimizers#fromSpec} builds an optimizer from its PyTorch-style name and
 * hyper-parameter map. Each optimizer keeps its own in a nested {@code Spec} class, listed in the
 * services file {@code META-INF/services/dev.descent.optim.OptimizerSpec}, where {@link
 * java.util.ServiceLoader} finds it: a new optimizer (a user's too, from its own jar) joins by
 * naming its {@code Spec} there, with no switch to edit.
 */
public interface OptimizerSpec {

    /** The names this spec builds, as PyTorch spells them (matched in any case); unique among all specs. */
    List<String> names();

    /**
     * The optimizer {@code name} (one of {@link #names()}) with the given hyper-parameters, unset ones
     * at the optimizer's defaults.
     *
     * @throws IllegalArgumentException for an unknown or mistyped hyper-parameter or an invalid value
     */
    Optimizer fromSpec(String name, Hyper hyper);

    /** Typed access to a hyper-parameter map, with errors that name the optimizer and the field. */
    record Hyper(String optimizer, Map<String, ?> values) {

        /** Refuses any key not in {@code names}. */
        public void allow(String... names) {
            Set<String> ok = Set.of(names);
            for (String k : values.keySet())
                if (!ok.contains(k))
                    throw new IllegalArgumentException(optimizer + ": unknown hyper-parameter '" + k
                            + "' (expected one of " + List.of(names) + ")");
        }

        /** A number, or {@code fallback} when unset; NaN as fallback makes the key required. */
        public double number(String key, double fallback) {
            Object v = values.get(key);
            if (v == null) {
                if (Double.isNaN(fallback))
                    throw new IllegalArgumentException(optimizer + ": '" + key + "' is required");
                return fallback;
            }
            if (v instanceof Number n) return n.doubleValue();
            throw new IllegalArgumentException(optimizer + ": '" + key + "' must be a number, got " + v);
        }

        /** A boolean, false when unset. */
        public boolean flag(String key) {
            Object v = values.get(key);
            if (v == null) return false;
            if (v instanceof Boolean b) return b;
            throw new IllegalArgumentException(optimizer + ": '" + key + "' must be true or false, got " + v);
        }

        /** A pair of numbers ({@code betas}), {@code (a, b)} when unset. */
        public double[] pair(String key, double a, double b) {
            Object v = values.get(key);
            if (v == null) return new double[] {a, b};
            if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number x && l.get(1) instanceof Number y)
                return new double[] {x.doubleValue(), y.doubleValue()};
            throw new IllegalArgumentException(optimizer + ": '" + key + "' must be a pair of numbers, got " + v);
        }
    }
}
