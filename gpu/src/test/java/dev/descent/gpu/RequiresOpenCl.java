package dev.descent.gpu;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs a real OpenCL device. Without one its tests are skipped, with one
 * printed line saying what the probe found and how to install PoCL; with {@code
 * -Ddescent.requireOpenCl=true} (CI) the class fails instead. See {@link OpenClCondition}.
 *
 * <p>Shared with other modules through the {@code descent-gpu} test-jar.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(OpenClCondition.class)
public @interface RequiresOpenCl {}
