package dev.descent.metric;

import java.util.List;
import java.util.Map;

/**
 * The accumulators of a list of metrics over one data set: made once (sized for the data set's
 * rows), {@link #reset} before each pass, fed batch by batch with {@link #add}, read with {@link
 * #putValues}. Allocates nothing per batch.
 */
public final class MetricTracker {
    private final List<Metric> metrics;
    private final Metric.Accumulator[] accumulators;

    /**
     * @throws IllegalArgumentException naming the first metric that does not apply to {@code shape}
     */
    public MetricTracker(List<Metric> metrics, Metric.Shape shape) {
        this.metrics = List.copyOf(metrics);
        this.accumulators = new Metric.Accumulator[this.metrics.size()];
        for (int i = 0; i < accumulators.length; i++)
            accumulators[i] = this.metrics.get(i).newAccumulator(shape);
    }

    public List<Metric> metrics() {
        return metrics;
    }

    /** Forgets every row added. */
    public void reset() {
        for (Metric.Accumulator a : accumulators) a.reset();
    }

    /** Adds a batch to every metric: reads {@code outputs[rows×k]} and {@code targets[rows×t]}. */
    public void add(float[] outputs, float[] targets, int rows) {
        for (Metric.Accumulator a : accumulators) a.add(outputs, targets, rows);
    }

    /** Puts each metric's value under {@code prefix + name} into {@code into}, in the metrics' order. */
    public void putValues(String prefix, Map<String, Double> into) {
        for (int i = 0; i < accumulators.length; i++)
            into.put(prefix + metrics.get(i).name(), accumulators[i].value());
    }
}
