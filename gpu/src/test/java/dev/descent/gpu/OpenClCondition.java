package dev.descent.gpu;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one home of "these tests need OpenCL": decides once per test class (of {@link RequiresOpenCl})
 * whether a real OpenCL device is there, through the same probe as the {@code gpu} backend ({@link
 * AparapiRuntime#probe()}: it enumerates the OpenCL platforms' devices, so Aparapi's silent Java
 * thread-pool fallback does not count as a device).
 *
 * <p>Without a device the class is skipped (Surefire counts it as skipped) and one line is printed:
 * which class, what the probe found, and how to install PoCL. With {@code
 * -Ddescent.requireOpenCl=true} (the parent pom passes it to Surefire; {@code .ci/run} sets it) the
 * class fails instead, so that CI never passes by skipping.
 */
public final class OpenClCondition implements ExecutionCondition {

    /** {@code -Ddescent.requireOpenCl=true}: a missing OpenCL device fails the tests that need one. */
    public static final String REQUIRE_PROPERTY = "descent.requireOpenCl";

    /** What makes the OpenCL tests run on a machine without a GPU (Debian/Ubuntu). */
    public static final String INSTALL_COMMAND = "apt-get install pocl-opencl-icd ocl-icd-libopencl1 clinfo";

    /** Called by JUnit. */
    public OpenClCondition() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        // decided (and printed) once, for the class; its methods only run when the class does
        if (context.getTestMethod().isPresent()) return ConditionEvaluationResult.enabled("decided for the class");
        AparapiRuntime.Probe probe = AparapiRuntime.probe();
        if (probe.found())
            return ConditionEvaluationResult.enabled(
                    "OpenCL device " + probe.info().describe());
        String message = message(
                context.getRequiredTestClass().getSimpleName(), "no OpenCL device was found: " + probe.finding());
        if (required()) throw new IllegalStateException(message);
        System.out.println(message);
        return ConditionEvaluationResult.disabled(message);
    }

    /**
     * For a test that needs part of an OpenCL installation without a device (the ICD loader, say):
     * skips the calling test with {@link #message} (printed), or fails it under {@code
     * -Ddescent.requireOpenCl=true}.
     *
     * @param test names the test in the message
     * @param finding what is missing on this machine
     */
    public static void skipOrFail(String test, String finding) {
        String message = message(test, finding);
        if (required()) Assertions.fail(message);
        System.out.println(message);
        Assumptions.abort(message);
    }

    /** Whether {@code -Ddescent.requireOpenCl=true}. */
    public static boolean required() {
        return Boolean.getBoolean(REQUIRE_PROPERTY);
    }

    /** The one line printed when tests are skipped, and the failure message under the switch. */
    static String message(String test, String finding) {
        return required()
                ? test + ": OpenCL is required (-D" + REQUIRE_PROPERTY + "=true) but " + finding
                        + ". Install an OpenCL driver (PoCL runs OpenCL on the CPU: " + INSTALL_COMMAND
                        + "; `clinfo -l` should then list a device), or drop -D" + REQUIRE_PROPERTY
                        + " to skip these tests"
                : test + ": OpenCL tests skipped: " + finding + ". To run them, install an OpenCL driver"
                        + " (PoCL runs OpenCL on the CPU): " + INSTALL_COMMAND + "; -D" + REQUIRE_PROPERTY
                        + "=true turns this skip into a failure";
    }
}
