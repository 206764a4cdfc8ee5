package dev.descent.optim;

import java.util.List;
import java.util.Objects;

/**
 * One parameter group (PyTorch's {@code param_groups}): the parameters a {@link Selector} picks and
 * how they differ from the optimizer they belong to. Unset values ({@code NaN}) inherit the
 * optimizer's. Build with {@code ParamGroup.of("biases", Selector.names("*.bias")).weightDecay(0)}
 * and attach with {@link Optimizer#groups}.
 *
 * @param name names the group in messages and checkpoints
 * @param selector which parameters the group holds
 * @param optimizer a whole replacement update rule for the group (its betas, nesterov, eps...), or
 *     null for the base optimizer with this group's changes
 * @param lr an absolute base learning rate: the group follows the schedule's factor from it (the
 *     step's lr × lr / base lr, as PyTorch's schedulers scale each group's initial lr); NaN to inherit
 * @param lrMultiplier multiplies the step's learning rate (1 to inherit); exclusive with {@code lr}
 * @param weightDecay the group's weight decay, or NaN to inherit
 * @param momentum the group's momentum (SGD, RMSprop) or β₁ (Adam), or NaN to inherit
 * @param isFrozen the group is not optimized: its parameters never change and have no optimizer state
 */
public record ParamGroup(
        String name,
        Selector selector,
        Optimizer optimizer,
        double lr,
        double lrMultiplier,
        double weightDecay,
        double momentum,
        boolean isFrozen) {

    public ParamGroup {
        if (name == null || name.isBlank())
            throw new IllegalArgumentException("a parameter group needs a name, got '" + name + "'");
        Objects.requireNonNull(selector, () -> "group '" + name + "': selector");
        if (!Double.isNaN(lr) && (!(lr >= 0) || Double.isInfinite(lr)))
            throw new IllegalArgumentException("group '" + name + "': lr must be finite and >= 0, got " + lr);
        if (!(lrMultiplier >= 0) || Double.isInfinite(lrMultiplier))
            throw new IllegalArgumentException(
                    "group '" + name + "': lr multiplier must be finite and >= 0, got " + lrMultiplier);
        if (!Double.isNaN(lr) && lrMultiplier != 1)
            throw new IllegalArgumentException("group '" + name + "' sets both lr " + lr + " and lr multiplier "
                    + lrMultiplier + "; give one of them");
        if (!Double.isNaN(weightDecay) && (!(weightDecay >= 0) || Double.isInfinite(weightDecay)))
            throw new IllegalArgumentException(
                    "group '" + name + "': weight_decay must be finite and >= 0, got " + weightDecay);
        if (!Double.isNaN(momentum) && !(momentum >= 0))
            throw new IllegalArgumentException("group '" + name + "': momentum must be >= 0, got " + momentum);
    }

    /** A group of the parameters {@code selector} picks, with the optimizer's settings. */
    public static ParamGroup of(String name, Selector selector) {
        return new ParamGroup(name, selector, null, Double.NaN, 1, Double.NaN, Double.NaN, false);
    }

    /** An absolute base learning rate for the group (it follows the schedule's factor). */
    public ParamGroup lr(double lr) {
        return new ParamGroup(name, selector, optimizer, lr, 1, weightDecay, momentum, isFrozen);
    }

    /** The group's learning rate is the step's times {@code multiplier}. */
    public ParamGroup lrMultiplier(double multiplier) {
        return new ParamGroup(name, selector, optimizer, Double.NaN, multiplier, weightDecay, momentum, isFrozen);
    }

    public ParamGroup weightDecay(double weightDecay) {
        return new ParamGroup(name, selector, optimizer, lr, lrMultiplier, weightDecay, momentum, isFrozen);
    }

    /** The group's momentum (SGD, RMSprop) or β₁ (Adam). */
    public ParamGroup momentum(double momentum) {
        return new ParamGroup(name, selector, optimizer, lr, lrMultiplier, weightDecay, momentum, isFrozen);
    }

    /** A whole update rule of its own for the group (its lr is the group's absolute base lr). */
    public ParamGroup optimizer(Optimizer optimizer) {
        return new ParamGroup(name, selector, optimizer, optimizer.lr(), 1, weightDecay, momentum, isFrozen);
    }

    /** The group is not optimized: its parameters keep their values. */
    public ParamGroup frozen() {
        return new ParamGroup(name, selector, optimizer, lr, lrMultiplier, weightDecay, momentum, true);
    }

    /**
     * The update rule of this group, derived from {@code base}: the group's own optimizer or the base,
     * with the group's weight decay and momentum. Null when frozen.
     *
     * @throws IllegalArgumentException naming the group when the rule has no such setting
     */
    Optimizer rule(Optimizer base) {
        if (isFrozen) return null;
        Optimizer o = optimizer != null ? optimizer : base;
        try {
            if (!Double.isNaN(weightDecay)) o = o.weightDecay(weightDecay);
            if (!Double.isNaN(momentum)) o = o.withMomentum(momentum);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("group '" + name + "': " + e.getMessage(), e);
        }
        return o;
    }

    /** The factor from the step's learning rate (of {@code base}) to this group's. */
    double lrScale(Optimizer base) {
        if (Double.isNaN(lr)) return lrMultiplier;
        if (base.lr() == 0)
            throw new IllegalArgumentException("group '" + name + "' sets an absolute lr " + lr
                    + ", but the optimizer's base lr is 0: give the group an lr multiplier instead");
        return lr / base.lr();
    }

    /** Which parameters a group holds: by tensor name, by layer index, or by flat position. */
    public sealed interface Selector extends java.io.Serializable { // inside an Optimizer, shipped to workers

        /**
         * The tensors whose names match one of the patterns ({@code *} matches any run of characters:
         * {@code "*.bias"}, {@code "layers.0.*"}, {@code "layers.2.weight"}); each pattern must match
         * at least one tensor.
         */
        static Selector names(String... patterns) {
            return new Names(List.of(patterns));
        }

        /** Every tensor of layers {@code first..last} (inclusive; named {@code layers.<i>.*}). */
        static Selector layers(int first, int last) {
            return new Layers(first, last);
        }

        /** Every tensor of layer {@code i}. */
        static Selector layer(int i) {
            return new Layers(i, i);
        }

        /** The flat positions {@code [from, to)} of the parameter buffer. */
        static Selector range(int from, int to) {
            return new Range(from, to);
        }

        /** The union of several selectors. */
        static Selector anyOf(Selector... selectors) {
            return new AnyOf(List.of(selectors));
        }

        record Names(List<String> patterns) implements Selector {
            public Names {
                patterns = List.copyOf(patterns);
                if (patterns.isEmpty()) throw new IllegalArgumentException("names(...) needs at least one pattern");
            }

            @Override
            public String toString() {
                return "names" + patterns;
            }
        }

        record Layers(int first, int last) implements Selector {
            public Layers {
                if (first < 0 || last < first)
                    throw new IllegalArgumentException(
                            "layers(first, last) needs 0 <= first <= last, got " + first + ", " + last);
            }

            @Override
            public String toString() {
                return first == last ? "layer " + first : "layers " + first + ".." + last;
            }
        }

        record Range(int from, int to) implements Selector {
            public Range {
                if (from < 0 || to <= from)
                    throw new IllegalArgumentException("range(from, to) needs 0 <= from < to, got " + from + ", " + to);
            }

            @Override
            public String toString() {
                return "[" + from + ", " + to + ")";
            }
        }

        record AnyOf(List<Selector> of) implements Selector {
            public AnyOf {
                of = List.copyOf(of);
                if (of.isEmpty()) throw new IllegalArgumentException("anyOf(...) needs at least one selector");
            }

            @Override
            public String toString() {
                return of.toString();
            }
        }
    }
}
