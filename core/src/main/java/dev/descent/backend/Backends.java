package dev.descent.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Chooses a backend by name: {@code scalar}, {@code simd}, {@code auto}, or the name of a {@link
 * BackendProvider} on the class path ({@code gpu}). {@link #fromSystemProperty()} reads {@code
 * -Ddescent.backend}.
 */
public final class Backends {

    /** The system property that selects the backend with no code change. */
    public static final String PROPERTY = "descent.backend";

    /** The JVM flag that adds the Vector API; every message about it names this flag. */
    public static final String VECTOR_FLAG = "--add-modules=jdk.incubator.vector";

    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private Backends() {}

    /** The backend named by {@code -Ddescent.backend}, or {@code auto} when it is unset. */
    public static Backend fromSystemProperty() {
        return byName(System.getProperty(PROPERTY, "auto"));
    }

    /**
     * The backend with this name. {@code auto} prefers an available provider with positive priority
     * (a real GPU), then SIMD, then scalar, and logs one line saying what it picked and why; the
     * fall-back to scalar ({@link #simdFallbackReason}) is a WARNING, logged once per JVM.
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
                    throw new IllegalArgumentException(
                            "backend 'simd' needs the Vector API: " + why + ". Add the JVM flag " + VECTOR_FLAG);
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
        String why = simdFallbackReason();
        if (why == null) {
            Backend b = new SimdBackend();
            LOG.info("descent: backend auto -> simd (" + b.device() + ")");
            return b;
        }
        // Lucene's rule: say once per JVM why SIMD is off; a training loop may ask for auto many times
        String line = "descent: backend auto -> scalar, because " + why;
        if (FALLBACK_LOGGED.compareAndSet(false, true)) LOG.warning(line);
        else LOG.fine(line);
        return new ScalarBackend();
    }

    /**
     * Null when the Vector API can be used in this JVM, else the reason it cannot: the incubator
     * module is missing from the boot layer (the JVM was started without {@value #VECTOR_FLAG}, or
     * a jlink image left it out). Backend {@code simd} refuses to start then, with this reason.
     */
    public static String vectorUnavailableReason() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty())
            return "module " + VECTOR_MODULE + " is not in the boot layer";
        return null;
    }

    /**
     * Null when {@code auto} should run on SIMD (no GPU assumed), else why it runs on scalar: the
     * Vector API is unavailable ({@link #vectorUnavailableReason}, with the flag to add), or the JVM
     * runs without its optimising compiler C2 ({@code -Xint}, {@code -XX:TieredStopAtLevel=1}, as
     * {@code java.vm.info} reports them), where Vector API code is not compiled to vector
     * instructions and is slower than plain loops. An explicit {@code simd} still runs then.
     */
    public static String simdFallbackReason() {
        String why = vectorUnavailableReason();
        if (why != null) return why + " (start java with " + VECTOR_FLAG + " for SIMD)";
        String vm = System.getProperty("java.vm.info", "");
        if (vm.contains("interpreted mode"))
            return "the JVM runs interpreted (-Xint): Vector API code would be slower than plain loops";
        if (vm.contains("emulated-client"))
            return "the C2 compiler is off (-XX:TieredStopAtLevel=1): Vector API code would be slower than"
                    + " plain loops";
        return null;
    }

    /** The backend providers found on the class path. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        return list;
    }
}
