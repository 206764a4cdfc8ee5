package dev.descent.optim.user;

import dev.descent.optim.OptimizerSpec;
import dev.descent.optim.Sgd;
import java.util.List;

/**
 * A spec from outside the built-ins (listed in this module's test services file), as a user's jar
 * would add one: {@code "ScaledSGD"} builds plain SGD at {@code lr · scale}.
 */
public final class UserSpec implements OptimizerSpec {
    @Override
    public List<String> names() {
        return List.of("ScaledSGD");
    }

    @Override
    public Sgd fromSpec(String name, Hyper h) {
        h.allow("lr", "scale");
        return Sgd.lr(h.number("lr", Double.NaN) * h.number("scale", 1));
    }
}
