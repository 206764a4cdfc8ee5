package dev.descent.gpu;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLLoader;
import com.aparapi.internal.opencl.OpenCLPlatform;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The one place that touches Aparapi's global state: logging, the native library and the OpenCL
 * platform list. Everything else in this module goes through {@link #probe()}.
 *
 * <p>Aparapi gotchas handled here (measured with Aparapi 3.0.2, aparapi-jni 1.4.3, PoCL 3.1):
 *
 * <ul>
 *   <li>{@code com.aparapi.Config}'s static initialiser sets the level of <em>every handler of the
 *       root logger</em> to WARNING (or {@code -Dcom.aparapi.logLevel}), which silences the whole
 *       application's INFO logging. {@link #init()} triggers that initialiser once and restores the
 *       handler levels.
 *   <li>Aparapi logs through one logger named {@code "com.aparapi.logLevel"}: at INFO it prints the
 *       whole generated OpenCL source for every kernel. Unless the user set {@code
 *       -Dcom.aparapi.logLevel}, it is kept at WARNING and its records go to a private handler that
 *       remembers the last warning (used in error messages) and re-logs at FINE under {@code
 *       dev.descent.gpu}.
 *   <li>Enumerating platforms makes the native library print "WARNING: Aparapi is running on an
 *       untested OpenCL platform version" to stderr for every OpenCL 3.0 platform (PoCL 3.x); it cannot
 *       be silenced from Java, so the platforms are enumerated once per JVM.
 * </ul>
 */
final class AparapiRuntime {

    static final Logger LOG = Logger.getLogger("dev.descent.gpu");

    /** Selects the device by index or by a case-insensitive substring of its description. */
    static final String DEVICE_PROPERTY = "descent.opencl.device";

    static final String INSTALL_HINT = "on Debian/Ubuntu: apt-get install pocl-opencl-icd ocl-icd-libopencl1 (CPU)"
            + " or your GPU vendor's OpenCL driver; `clinfo -l` should then list a device";

    private static final String APARAPI_LOGGER = "com.aparapi.logLevel";
    private static final String APARAPI_LOG_PROPERTY = "com.aparapi.logLevel";

    private static boolean initialized;
    private static volatile String lastWarning;
    private static Probe probe;

    private AparapiRuntime() {}

    /**
     * The result of looking for OpenCL devices: the list, the chosen device, or why there is none.
     *
     * @param finding null when a device was chosen, else what the probe found (no loader, no platform,
     *     no device, no match for {@code -Ddescent.opencl.device}) without advice
     * @param reason null when a device was chosen, else the finding followed by how to install a driver
     *     when that is the cure
     */
    record Probe(
            List<OpenClDeviceInfo> devices, List<OpenCLDevice> clDevices, int chosen, String finding, String reason) {

        boolean found() {
            return chosen >= 0;
        }

        OpenCLDevice device() {
            return clDevices.get(chosen);
        }

        OpenClDeviceInfo info() {
            return devices.get(chosen);
        }
    }

    /** Tames Aparapi's logging; idempotent and cheap after the first call. */
    static synchronized void init() {
        if (initialized) return;
        initialized = true;
        Logger root = Logger.getLogger("");
        Handler[] handlers = root.getHandlers();
        Level[] levels = new Level[handlers.length];
        for (int i = 0; i < handlers.length; i++) levels[i] = handlers[i].getLevel();
        try {
            Class.forName("com.aparapi.Config", true, AparapiRuntime.class.getClassLoader());
        } catch (Throwable t) { // NoClassDefFoundError, ExceptionInInitializerError: reported by probe()
            LOG.log(Level.FINE, "Aparapi Config could not be initialised", t);
        } finally {
            for (int i = 0; i < handlers.length; i++) handlers[i].setLevel(levels[i]);
        }
        Logger aparapi = Logger.getLogger(APARAPI_LOGGER);
        if (System.getProperty(APARAPI_LOG_PROPERTY) == null) {
            aparapi.setLevel(Level.WARNING);
            aparapi.setUseParentHandlers(false);
        }
        aparapi.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() < Level.WARNING.intValue()) return;
                String msg = r.getMessage();
                if (r.getThrown() != null) msg = msg + " (" + r.getThrown() + ")";
                lastWarning = msg;
                LOG.fine(() -> "aparapi " + r.getLevel() + ": " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    /** The last WARNING or SEVERE message Aparapi logged, or null. */
    static String lastWarning() {
        return lastWarning;
    }

    static void clearLastWarning() {
        lastWarning = null;
    }

    /** Whether {@link #probe()} has run (and so OpenCL drivers are already loaded). */
    static synchronized boolean probed() {
        return probe != null;
    }

    /** Finds the OpenCL devices once per JVM; never throws. */
    static synchronized Probe probe() {
        if (probe == null) probe = doProbe();
        return probe;
    }

    private static Probe doProbe() {
        try {
            init();
            if (!OpenCLLoader.isOpenCLAvailable()) {
                String detail = lastWarning();
                return none("Aparapi could not load its native library or the OpenCL loader libOpenCL.so.1"
                        + (detail == null ? "" : " (" + detail + ")"));
            }
            List<OpenCLPlatform> platforms = OpenCLPlatform.getUncachedOpenCLPlatforms();
            if (platforms == null || platforms.isEmpty()) return none("no OpenCL platform found");
            List<OpenClDeviceInfo> infos = new ArrayList<>();
            List<OpenCLDevice> devices = new ArrayList<>();
            List<String> platformNames = new ArrayList<>();
            for (OpenCLPlatform p : platforms) {
                platformNames.add(p.getName());
                for (OpenCLDevice d : p.getOpenCLDevices()) {
                    infos.add(info(infos.size(), p, d));
                    devices.add(d);
                }
            }
            if (devices.isEmpty()) return none("OpenCL platform(s) " + platformNames + " report no devices");
            int chosen = choose(infos);
            if (chosen < 0) {
                String noMatch = "no OpenCL device matches -D" + DEVICE_PROPERTY + "="
                        + System.getProperty(DEVICE_PROPERTY) + "; found " + infos;
                return new Probe(List.copyOf(infos), List.copyOf(devices), -1, noMatch, noMatch);
            }
            return new Probe(List.copyOf(infos), List.copyOf(devices), chosen, null, null);
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, anything from the native side
            String detail = lastWarning();
            return none("probing OpenCL through Aparapi failed: " + t + (detail == null ? "" : " (" + detail + ")"));
        }
    }

    /** No device at all: the finding, and as the reason the finding plus how to install a driver. */
    private static Probe none(String finding) {
        return new Probe(List.of(), List.of(), -1, finding, finding + "; " + INSTALL_HINT);
    }

    private static OpenClDeviceInfo info(int index, OpenCLPlatform p, OpenCLDevice d) {
        Device.TYPE type = d.getType();
        return new OpenClDeviceInfo(
                index,
                p.getName(),
                p.getVendor(),
                p.getVersion(),
                d.getName(),
                type == null ? "UNKNOWN" : type.name(),
                d.getMaxComputeUnits(),
                d.getGlobalMemSize(),
                d.getMaxMemAllocSize(),
                d.getLocalMemSize(),
                d.getMaxWorkGroupSize());
    }

    /**
     * The device to use: the one named by {@code -Ddescent.opencl.device} (index or substring), else a
     * GPU before an accelerator before a CPU driver, more compute units first; -1 when the property
     * matches nothing.
     */
    static int choose(List<OpenClDeviceInfo> infos) {
        String wanted = System.getProperty(DEVICE_PROPERTY);
        if (wanted != null && !wanted.isBlank()) {
            String w = wanted.trim().toLowerCase(Locale.ROOT);
            for (OpenClDeviceInfo i : infos) if (w.equals(Integer.toString(i.index()))) return i.index();
            for (OpenClDeviceInfo i : infos)
                if (i.describe().toLowerCase(Locale.ROOT).contains(w)) return i.index();
            return -1;
        }
        return infos.stream()
                .min(Comparator.comparingInt((OpenClDeviceInfo i) -> typeRank(i.type()))
                        .thenComparing(Comparator.comparingInt(OpenClDeviceInfo::computeUnits)
                                .reversed()))
                .map(OpenClDeviceInfo::index)
                .orElse(-1);
    }

    private static int typeRank(String type) {
        return switch (type) {
            case "GPU" -> 0;
            case "ACC" -> 1;
            case "CPU" -> 2;
            default -> 3;
        };
    }

    /**
     * Null when the JVM was started with libjsig preloaded (or is not on Linux), else a warning.
     * Loading PoCL (already by enumerating platforms: ocl-icd loads every driver) loads libLLVM, which
     * installs its own handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGUSR2 ... over HotSpot's
     * ({@code -Xcheck:jni} reports "Handler was modified!"); HotSpot uses SIGSEGV for implicit null
     * checks and safepoints, so the JVM can die with exit 139. libjsig chains the handlers.
     */
    static String jsigWarning() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return null;
        String preload = System.getenv("LD_PRELOAD");
        if (preload != null && preload.contains("libjsig")) return null;
        return "LD_PRELOAD does not contain libjsig.so: an OpenCL driver built on LLVM (PoCL) may crash this JVM;"
                + " start it with LD_PRELOAD=" + System.getProperty("java.home") + "/lib/libjsig.so";
    }
}
