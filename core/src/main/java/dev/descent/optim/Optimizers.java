package dev.descent.optim;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    /** The names {@link #fromSpec} knows, as PyTorch spells them (LARS, LAMB and Lion are not in PyTorch). */
    public static final List<String> NAMES = List.of(
            "SGD",
            "Adam",
            "AdamW",
            "RMSprop",
            "Adagrad",
            "NAdam",
            "RAdam",
            "Adamax",
            "Adadelta",
            "ASGD",
            "LARS",
            "LAMB",
            "Lion");

    /**
     * The optimizer named as in PyTorch ({@link #NAMES}, any case) with PyTorch's hyper-parameter
     * names ({@code lr, momentum, dampening, nesterov, weight_decay, maximize, betas, eps, amsgrad,
     * alpha, centered, lr_decay, initial_accumulator_value, momentum_decay, rho, lambd, t0,
     * trust_coefficient}); unset ones take the optimizer's defaults (PyTorch's).
     *
     * @throws IllegalArgumentException for an unknown optimizer, an unknown or mistyped
     *     hyper-parameter, or an invalid value (the message names it)
     */
    public static Optimizer fromSpec(String name, Map<String, ?> hyper) {
        var h = new Hyper(name, hyper);
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> {
                h.allow("lr", "momentum", "dampening", "nesterov", "weight_decay", "maximize");
                yield new Sgd(
                        h.number("lr", Double.NaN),
                        h.number("momentum", 0),
                        h.number("dampening", 0),
                        h.flag("nesterov"),
                        h.number("weight_decay", 0),
                        h.flag("maximize"));
            }
            case "adam", "adamw" -> {
                boolean w = name.equalsIgnoreCase("adamw");
                h.allow("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize");
                double[] betas = h.pair("betas", 0.9, 0.999);
                yield new Adam(
                        h.number("lr", 1e-3),
                        betas[0],
                        betas[1],
                        h.number("eps", 1e-8),
                        h.number("weight_decay", w ? 0.01 : 0),
                        w,
                        h.flag("amsgrad"),
                        h.flag("maximize"));
            }
            case "rmsprop" -> {
                h.allow("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize");
                yield new RmsProp(
                        h.number("lr", 1e-2),
                        h.number("alpha", 0.99),
                        h.number("eps", 1e-8),
                        h.number("weight_decay", 0),
                        h.number("momentum", 0),
                        h.flag("centered"),
                        h.flag("maximize"));
            }
            case "adagrad" -> {
                h.allow("lr", "lr_decay", "weight_decay", "eps", "maximize", "initial_accumulator_value");
                var d = Adagrad.DEFAULTS;
                yield new Adagrad(
                        h.number("lr", d.lr()),
                        h.number("lr_decay", d.lrDecay()),
                        h.number("weight_decay", d.weightDecay()),
                        h.number("eps", d.eps()),
                        h.flag("maximize"),
                        h.number("initial_accumulator_value", d.initialAccumulatorValue()));
            }
            case "nadam" -> {
                h.allow("lr", "betas", "eps", "weight_decay", "momentum_decay");
                var d = NAdam.DEFAULTS;
                double[] betas = h.pair("betas", d.beta1(), d.beta2());
                yield new NAdam(
                        h.number("lr", d.lr()),
                        betas[0],
                        betas[1],
                        h.number("eps", d.eps()),
                        h.number("weight_decay", d.weightDecay()),
                        h.number("momentum_decay", d.momentumDecay()));
            }
            case "radam" -> {
                h.allow("lr", "betas", "eps", "weight_decay");
                var d = RAdam.DEFAULTS;
                double[] betas = h.pair("betas", d.beta1(), d.beta2());
                yield new RAdam(
                        h.number("lr", d.lr()),
                        betas[0],
                        betas[1],
                        h.number("eps", d.eps()),
                        h.number("weight_decay", d.weightDecay()));
            }
            case "adamax" -> {
                h.allow("lr", "betas", "eps", "weight_decay", "maximize");
                var d = Adamax.DEFAULTS;
                double[] betas = h.pair("betas", d.beta1(), d.beta2());
                yield new Adamax(
                        h.number("lr", d.lr()),
                        betas[0],
                        betas[1],
                        h.number("eps", d.eps()),
                        h.number("weight_decay", d.weightDecay()),
                        h.flag("maximize"));
            }
            case "adadelta" -> {
                h.allow("lr", "rho", "eps", "weight_decay", "maximize");
                var d = Adadelta.DEFAULTS;
                yield new Adadelta(
                        h.number("lr", d.lr()),
                        h.number("rho", d.rho()),
                        h.number("eps", d.eps()),
                        h.number("weight_decay", d.weightDecay()),
                        h.flag("maximize"));
            }
            case "asgd" -> {
                h.allow("lr", "lambd", "alpha", "t0", "weight_decay", "maximize");
                var d = Asgd.DEFAULTS;
                yield new Asgd(
                        h.number("lr", d.lr()),
                        h.number("lambd", d.lambd()),
                        h.number("alpha", d.alpha()),
                        h.number("t0", d.t0()),
                        h.number("weight_decay", d.weightDecay()),
                        h.flag("maximize"));
            }
            case "lars" -> {
                h.allow("lr", "momentum", "weight_decay", "trust_coefficient", "eps");
                var d = Lars.DEFAULTS;
                yield new Lars(
                        h.number("lr", d.lr()),
                        h.number("momentum", d.momentum()),
                        h.number("weight_decay", d.weightDecay()),
                        h.number("trust_coefficient", d.trustCoefficient()),
                        h.number("eps", d.eps()));
            }
            case "lamb" -> {
                h.allow("lr", "betas", "eps", "weight_decay");
                var d = Lamb.DEFAULTS;
                double[] betas = h.pair("betas", d.beta1(), d.beta2());
                yield new Lamb(
                        h.number("lr", d.lr()),
                        betas[0],
                        betas[1],
                        h.number("eps", d.eps()),
                        h.number("weight_decay", d.weightDecay()));
            }
            case "lion" -> {
                h.allow("lr", "betas", "weight_decay");
                var d = Lion.DEFAULTS;
                double[] betas = h.pair("betas", d.beta1(), d.beta2());
                yield new Lion(h.number("lr", d.lr()), betas[0], betas[1], h.number("weight_decay", d.weightDecay()));
            }
            default ->
                throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of " + NAMES + ")");
        };
    }

    /** Typed access to a hyper-parameter map, with errors that name the field. */
    private record Hyper(String optimizer, Map<String, ?> values) {
        void allow(String... names) {
            Set<String> ok = Set.of(names);
            for (String k : values.keySet())
                if (!ok.contains(k))
                    throw new IllegalArgumentException(optimizer + ": unknown hyper-parameter '" + k
                            + "' (expected one of " + List.of(names) + ")");
        }

        double number(String key, double fallback) {
            Object v = values.get(key);
            if (v == null) {
                if (Double.isNaN(fallback))
                    throw new IllegalArgumentException(optimizer + ": '" + key + "' is required");
                return fallback;
            }
            if (v instanceof Number n) return n.doubleValue();
            throw new IllegalArgumentException(optimizer + ": '" + key + "' must be a number, got " + v);
        }

        boolean flag(String key) {
            Object v = values.get(key);
            if (v == null) return false;
            if (v instanceof Boolean b) return b;
            throw new IllegalArgumentException(optimizer + ": '" + key + "' must be true or false, got " + v);
        }

        double[] pair(String key, double a, double b) {
            Object v = values.get(key);
            if (v == null) return new double[] {a, b};
            if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number x && l.get(1) instanceof Number y)
                return new double[] {x.doubleValue(), y.doubleValue()};
            throw new IllegalArgumentException(optimizer + ": '" + key + "' must be a pair of numbers, got " + v);
        }
    }
}
