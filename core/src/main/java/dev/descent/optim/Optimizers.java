package dev.descent.optim;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Factories for every optimizer, and a builder from a PyTorch-style name and hyper-parameter map. */
public final class Optimizers {
    private Optimizers() {}

    public static Sgd sgd(double lr) {
        return Sgd.lr(lr);
    }

    public static Adam adam(double lr) {
        return Adam.adam(lr);
    }

    public static Adam adamW(double lr) {
        return Adam.adamW(lr);
    }

    public static RmsProp rmsprop(double lr) {
        return RmsProp.lr(lr);
    }

    public static Adagrad adagrad(double lr) {
        return Adagrad.lr(lr);
    }

    public static NAdam nadam(double lr) {
        return NAdam.lr(lr);
    }

    public static RAdam radam(double lr) {
        return RAdam.lr(lr);
    }

    public static Adamax adamax(double lr) {
        return Adamax.lr(lr);
    }

    public static Adadelta adadelta(double lr) {
        return Adadelta.lr(lr);
    }

    public static Asgd asgd(double lr) {
        return Asgd.lr(lr);
    }

    public static Lars lars(double lr) {
        return Lars.lr(lr);
    }

    public static Lamb lamb(double lr) {
        return Lamb.lr(lr);
    }

    public static Lion lion(double lr) {
        return Lion.lr(lr);
    }

    /**
     * The names {@link #fromSpec} knows, as PyTorch spells them (LARS, LAMB and Lion are not in
     * PyTorch): those of every {@link OptimizerSpec} on the class path, the built-ins first in their
     * services file's order, then others (a user's) in the order found. Read-only; the class path is
     * searched on first use of this list or of {@link #fromSpec}, not by the factories above (on a
     * class path of many jars the search takes a few hundred milliseconds).
     */
    public static final List<String> NAMES = new AbstractList<>() {
        @Override
        public String get(int index) {
            return Registry.NAMES.get(index);
        }

        @Override
        public int size() {
            return Registry.NAMES.size();
        }
    };

    /** Every {@link OptimizerSpec} on the class path by lower-case name, found when first needed. */
    private static final class Registry {
        static final Map<String, OptimizerSpec> SPECS = new LinkedHashMap<>();
        static final List<String> NAMES;

        static {
            List<String> names = new ArrayList<>();
            List<OptimizerSpec> builtInFirst = new ArrayList<>(), others = new ArrayList<>();
            for (OptimizerSpec spec : ServiceLoader.load(OptimizerSpec.class, Optimizers.class.getClassLoader()))
                (spec.getClass().getPackageName().equals(Optimizers.class.getPackageName()) ? builtInFirst : others)
                        .add(spec);
            builtInFirst.addAll(others);
            for (OptimizerSpec spec : builtInFirst)
                for (String name : spec.names()) {
                    OptimizerSpec other = SPECS.putIfAbsent(name.toLowerCase(Locale.ROOT), spec);
                    if (other != null)
                        throw new IllegalStateException("optimizer name '" + name + "' is claimed by both "
                                + other.getClass().getName() + " and "
                                + spec.getClass().getName()
                                + " (META-INF/services/" + OptimizerSpec.class.getName() + ")");
                    names.add(name);
                }
            NAMES = List.copyOf(names);
        }
    }

    /**
     * The optimizer named as in PyTorch ({@link #NAMES}, any case) with PyTorch's hyper-parameter
     * names ({@code lr, momentum, dampening, nesterov, weight_decay, maximize, betas, eps, amsgrad,
     * alpha, centered, lr_decay, initial_accumulator_value, momentum_decay, rho, lambd, t0,
     * trust_coefficient}); unset ones take the optimizer's defaults (PyTorch's). Each optimizer
     * parses its own ({@link OptimizerSpec}).
     *
     * @throws IllegalArgumentException for an unknown optimizer, an unknown or mistyped
     *     hyper-parameter, or an invalid value (the message names it)
     */
    public static Optimizer fromSpec(String name, Map<String, ?> hyper) {
        OptimizerSpec spec = Registry.SPECS.get(name.toLowerCase(Locale.ROOT));
        if (spec == null)
            throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of " + NAMES + ")");
        return spec.fromSpec(name, new OptimizerSpec.Hyper(name, hyper));
    }
}
