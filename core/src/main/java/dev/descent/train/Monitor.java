package dev.descent.train;

import dev.descent.metric.Metric;
import dev.descent.schedule.ReduceOnPlateau.Mode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which recorded quantity early stopping or reduce-on-plateau watches, and whether lower or higher
 * is better. The quantities are the ones {@link History.Epoch#get} knows: {@code loss} (training),
 * {@code val_loss}, {@code val_accuracy}, {@code val_rmse}, and for every configured {@link Metric}
 * its name (training data) and {@code val_} + its name (validation data).
 *
 * @param quantity the recorded name, e.g. {@code "val_auc"}
 * @param mode MIN or MAX; null for the quantity's own direction (losses and errors: min; accuracy,
 *     F1, AUC...: max)
 */
public record Monitor(String quantity, Mode mode) {

    public Monitor {
        if (quantity == null || quantity.isBlank())
            throw new IllegalArgumentException(
                    "monitor: the quantity's name must not be empty, got '" + quantity + "'");
    }

    /** The quantity in its own direction. */
    public static Monitor of(String quantity) {
        return new Monitor(quantity, null);
    }

    public static Monitor of(String quantity, Mode mode) {
        return new Monitor(quantity, mode);
    }

    /**
     * The quantities a run records and their own directions, in CSV order: {@code loss}, then with
     * validation {@code val_loss, val_accuracy, val_rmse}, then each metric's name and with validation
     * its {@code val_} name.
     */
    public static Map<String, Mode> quantities(List<Metric> metrics, boolean validation) {
        Map<String, Mode> q = new LinkedHashMap<>();
        q.put("loss", Mode.MIN);
        if (validation) {
            q.put("val_loss", Mode.MIN);
            q.put("val_accuracy", Mode.MAX);
            q.put("val_rmse", Mode.MIN);
        }
        for (Metric m : metrics) {
            Mode own = m.higherIsBetter() ? Mode.MAX : Mode.MIN;
            q.put(m.name(), own);
            if (validation) q.put("val_" + m.name(), own);
        }
        return q;
    }

    /**
     * This monitor's mode: its own, else the quantity's direction.
     *
     * @param who what monitors, for the error ("early stopping")
     * @throws IllegalArgumentException naming {@code who}, the unknown quantity and the known ones
     */
    Mode resolve(String who, List<Metric> metrics, boolean validation) {
        Map<String, Mode> known = quantities(metrics, validation);
        Mode own = known.get(quantity);
        if (own == null) {
            String why = !validation && quantities(metrics, true).containsKey(quantity)
                    ? " (it is measured on a validation set, and this run has none)"
                    : "";
            throw new IllegalArgumentException(who + " monitors '" + quantity + "', which is not recorded" + why
                    + "; known: " + known.keySet() + " (add a metric with metrics(...) to record more)");
        }
        return mode != null ? mode : own;
    }

    /**
     * Checks the monitors of {@code config} (early stopping, plateau) against what a run with these
     * metrics records, with or without a validation set.
     *
     * @throws IllegalArgumentException naming the monitor and listing the known quantities
     */
    public static void check(TrainingConfig config, boolean validation) {
        EarlyStopping es = config.earlyStopping();
        if (es != null && es.monitor() != null) es.monitor().resolve("early stopping", config.metrics(), validation);
        if (config.plateau() != null && config.plateauMonitor() != null)
            config.plateauMonitor().resolve("reduce-on-plateau", config.metrics(), validation);
    }

    @Override
    public String toString() {
        return quantity + (mode == null ? "" : " (" + mode.name().toLowerCase(java.util.Locale.ROOT) + ")");
    }
}
