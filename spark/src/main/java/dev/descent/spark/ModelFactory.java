package dev.descent.spark;

import dev.descent.model.Sequential;
import java.io.Serializable;

/**
 * Builds the model on the driver and on every executor: Spark ships this factory (Java-serialized)
 * instead of the model, e.g. {@code () -> Models.mlp(30).dense(16, Activation.RELU).dense(2).build()}.
 * Every call must build the same architecture; the parameters travel separately as one flat buffer.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    Sequential build();
}
