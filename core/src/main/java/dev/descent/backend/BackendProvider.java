package dev.descent.backend;

/**
 * A backend contributed by another module (the gpu module's OpenCL backend), found through {@link
 * java.util.ServiceLoader} under {@code META-INF/services/dev.descent.backend.BackendProvider}.
 */
public interface BackendProvider {

    /** The name users select it by, e.g. "gpu". */
    String name();

    /** Whether the backend can run here; if not, {@link #unavailableReason()} says why. */
    boolean available();

    /** What is missing and how to install it; only meaningful when {@link #available()} is false. */
    String unavailableReason();

    /** A ready backend; called only when {@link #available()} is true. */
    Backend create();

    /** Preference among available providers for {@code auto}: higher wins; CPU SIMD counts as 0. */
    default int priority() {
        return 10;
    }
}
