package dev.descent.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * Chooses a backend by name: {@code scalar}, {@code simd}, {@code auto}, or the name of a {@link
 * BackendProvider} on the class path ({@code gpu}). {@link #fromSystemProperty()} reads {@code
 * -Ddescent.backend}.
 */
public final class Backends {

    /** The system property that selects the backend with no code change. */
    public static final String PROPERTY = "descent.backend";

    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Backends() {}

    /** The backend named by {@code -Ddescent.backend}, or {@code auto} when it is unset. */
    public static Backend fromSystemProperty() {
        return byName(System.getProperty(PROPERTY, "auto"));
    }

    /**
     * The backend with this name. {@code auto} prefers an available provider with positive priority
     * (a real GPU), then SIMD, then scalar, and logs one line saying what it picked and why.
     *
     * @throws IllegalArgumentException for an unknown name, or a known backend that cannot run here
     *     (the message says what to install or which JVM flag to add)
     */
    public static Backend byName(String name) {
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "scalar":
                return new ScalarBackend();
            case "simd":
                String why = vectorUnavailableReason();
                if (why != null)
                    throw new IllegalArgumentException("backend 'simd' needs the Vector API: " + why
                            + ". Add the JVM flag --add-modules=jdk.incubator.vector");
                return new SimdBackend();
            case "auto":
                return auto();
            default:
                for (BackendProvider p : providers()) {
                    if (p.name().equalsIgnoreCase(n)) {
                        if (!p.available())
                            throw new IllegalArgumentException(
                                    "backend '" + n + "' is not available: " + p.unavailableReason());
                        return p.create();
                    }
                }
                List<String> known = new ArrayList<>(List.of("scalar", "simd", "auto"));
                providers().forEach(p -> known.add(p.name()));
                throw new IllegalArgumentException("unknown backend '" + name + "' (expected one of " + known
                        + "; 'gpu' needs descent-gpu on the class path)");
        }
    }

    private static Backend auto() {
        BackendProvider best = null;
        for (BackendProvider p : providers())
            if (p.priority() > 0 && p.available() && (best == null || p.priority() > best.priority())) best = p;
        if (best != null) {
            Backend b = best.create();
            LOG.info("descent: backend auto -> " + b.name() + " (" + b.device() + ")");
            return b;
        }
        String why = vectorUnavailableReason();
        if (why == null) {
            Backend b = new SimdBackend();
            LOG.info("descent: backend auto -> simd (" + b.device() + ")");
            return b;
        }
        LOG.info("descent: backend auto -> scalar, because " + why
                + " (add --add-modules=jdk.incubator.vector for SIMD)");
        return new ScalarBackend();
    }

    /** Null when the Vector API can be used in this JVM, else the reason it cannot. */
    public static String vectorUnavailableReason() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty())
            return "module " + VECTOR_MODULE + " is not in the boot layer";
        return null;
    }

    /** The backend providers found on the class path. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        return list;
    }
}
