package dev.descent.spark;

import dev.descent.model.Init;
import dev.descent.model.Layer;
import dev.descent.model.Sequential;
import java.io.Serializable;
import java.util.List;

/**
 * Builds the model on the driver and on every executor: Spark ships this factory (Java-serialized)
 * instead of the model, e.g. {@code () -> Models.mlp(30).dense(16, Activation.RELU).dense(2).build()}.
 * Every call must build the same architecture; the parameters travel separately as one flat buffer.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    Sequential build();

    /**
     * A factory that rebuilds {@code model} from its input shape, layers and init scheme (the layers
     * travel serialized: a layer of one's own must be {@link Serializable} all through).
     */
    static ModelFactory of(Sequential model) {
        return new Rebuild(model.inputShape(), model.layers(), model.init());
    }

    /** {@link #of}'s factory: the model's description, rebuilt layer by layer. */
    record Rebuild(int[] inputShape, List<Layer> layers, Init init) implements ModelFactory {
        public Rebuild {
            inputShape = inputShape.clone();
            layers = List.copyOf(layers);
        }

        @Override
        public Sequential build() {
            Sequential.Builder b = Sequential.inputShape(inputShape);
            for (Layer layer : layers) b.add(layer);
            return b.init(init).build();
        }
    }
}
