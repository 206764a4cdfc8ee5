package dev.descent.spark;

import java.io.Serializable;

/**
 * The running sum of the partitions' shares of one batch: the weighted gradient (flat, like the
 * model's parameters), the weighted loss and the rows seen. Spark's {@code treeAggregate} starts
 * every partition from a copy of an empty sum and adds the partitions' sums with {@link #add}.
 */
final class GradientSum implements Serializable {
    final float[] gradient;
    /** False while {@link #gradient} holds nothing: the next partition's backward overwrites it. */
    boolean filled;

    double loss;
    long rows;

    GradientSum(int parameters) {
        this.gradient = new float[parameters];
    }

    /** Adds {@code other} into this sum (overwrites this; reads other) and returns this. */
    GradientSum add(GradientSum other) {
        if (!other.filled) return this;
        if (!filled) {
            System.arraycopy(other.gradient, 0, gradient, 0, gradient.length);
            filled = true;
        } else {
            float[] g = gradient, o = other.gradient;
            for (int i = 0; i < g.length; i++) g[i] += o[i];
        }
        loss += other.loss;
        rows += other.rows;
        return this;
    }
}
