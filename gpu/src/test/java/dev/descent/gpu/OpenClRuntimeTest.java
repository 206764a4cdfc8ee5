package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.device.JavaDevice;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.kernel.KernelManager;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;
import dev.descent.backend.ScalarBackend;
import dev.descent.gpu.OpenClEngine.Ref;
import dev.descent.optim.Sgd;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The backend is found, runs on a real OpenCL device, and refuses to fall back silently. */
@RequiresOpenCl
class OpenClRuntimeTest {

    static OpenCLDevice device() {
        return AparapiRuntime.probe().device();
    }

    @Test
    void serviceLoaderProvidesTheOpenClBackendUnderGpu() {
        Backend b = Backends.byName("gpu");
        OpenClBackend gpu = assertInstanceOf(OpenClBackend.class, b);
        assertEquals("gpu", b.name());
        OpenClDeviceInfo chosen = OpenClDevices.chosen().orElseThrow();
        assertEquals("OpenCL: " + chosen.platform() + " / " + chosen.name() + " (" + chosen.type() + ")", b.device());
        assertTrue(b.device().matches("OpenCL: .+ / .+ \\((GPU|CPU|ACC|UNKNOWN)\\)"), b.device());
        assertEquals(chosen, gpu.deviceInfo());
    }

    @Test
    void gpuOrSimdIsTheOpenClBackendWhenThereIsADevice() {
        Logger log = Logger.getLogger("dev.descent.gpu");
        List<LogRecord> records = new java.util.ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(h);
        try {
            Backend b = Backends.byName("gpu-or-simd");
            assertInstanceOf(OpenClBackend.class, b);
            assertEquals("gpu", b.name());
            assertTrue(
                    records.isEmpty(),
                    () -> "unexpected warning " + records.get(0).getMessage());
        } finally {
            log.removeHandler(h);
        }
        // auto never picks the fallback provider
        BackendProvider p = Backends.providers().stream()
                .filter(x -> x.name().equals("gpu-or-simd"))
                .findFirst()
                .orElseThrow();
        assertEquals(0, p.priority());
    }

    @Test
    void providerIsAvailableAndOnlyPreferredByAutoOnARealGpu() {
        BackendProvider p = Backends.providers().stream()
                .filter(x -> x.name().equals("gpu"))
                .findFirst()
                .orElseThrow();
        assertInstanceOf(OpenClBackendProvider.class, p);
        assertTrue(p.available(), () -> p.unavailableReason());
        assertNull(p.unavailableReason());
        boolean gpu = OpenClDevices.chosen().orElseThrow().isGpu();
        assertEquals(gpu ? OpenClBackendProvider.GPU_PRIORITY : 0, p.priority());
        if (!gpu) assertNotEquals("gpu", Backends.byName("auto").name(), "auto must not pick an OpenCL CPU driver");
    }

    @Test
    void listsTheDevices() {
        List<OpenClDeviceInfo> devices = OpenClDevices.list();
        assertTrue(!devices.isEmpty());
        assertNull(OpenClDevices.unavailableReason());
        for (OpenClDeviceInfo d : devices) {
            assertTrue(Set.of("GPU", "CPU", "ACC", "UNKNOWN").contains(d.type()), d.type());
            assertTrue(d.computeUnits() > 0, d::toString);
            assertTrue(d.globalMemBytes() > 0, d::toString);
            assertTrue(d.maxWorkGroupSize() > 0, d::toString);
            assertEquals(d, devices.get(d.index()));
        }
        assertTrue(devices.contains(OpenClDevices.chosen().orElseThrow()));
    }

    @Test
    void everyOperationIsOneVerifiedLaunch() {
        OpenClBackend b = OpenClBackend.create();
        long before = b.verifiedLaunches();
        float[] x = {1f, 2f, 3f}, y = {1f, 1f, 1f};
        b.axpy(2f, x, 0, y, 0, 3);
        assertArrayEquals(new float[] {3f, 5f, 7f}, y);
        assertEquals(before + 1, b.verifiedLaunches());
        assertEquals(14f, b.dot(x, 0, x, 0, 3));
        assertEquals(before + 2, b.verifiedLaunches());
        float[] c = new float[4];
        b.matmul(new float[] {1, 2, 3, 4}, 0, new float[] {1, 0, 0, 1}, 0, c, 0, 2, 2, 2, false);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c);
        assertEquals(before + 3, b.verifiedLaunches());
        // size 0: nothing to launch
        b.scale(x, 0, 0, 2f);
        assertEquals(before + 3, b.verifiedLaunches());
    }

    @Test
    void aKernelThatCannotBeOpenClIsCaughtWithAnExplicitLocalSize() {
        OpenCLDevice dev = device();
        JavaOnlyKernelA k = new JavaOnlyKernelA();
        k.setExplicit(true);
        KernelManager.instance().setPreferredDevices(k, new LinkedHashSet<>(List.of(dev)));
        // Aparapi marks the device failed, then rejects the range's device with an AssertionError
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> OpenClEngine.execute(k, dev.createRange(64, 32), dev, k.ran));
        assertTrue(e.getMessage().contains("launch failed"), e.getMessage());
    }

    @Test
    void aSilentFallbackToJavaThreadsIsDetected() {
        OpenCLDevice dev = device();
        JavaOnlyKernelB k = new JavaOnlyKernelB();
        k.setExplicit(true);
        KernelManager.instance().setPreferredDevices(k, new LinkedHashSet<>(List.of(dev)));
        // with a derived local size Aparapi quietly re-runs the kernel on its Java thread pool...
        String why = OpenClEngine.execute(k, dev.createRange(64), dev, k.ran);
        // ...which really happened (the Java body wrote the host array)...
        assertEquals(2f, k.out[15]);
        // ...and is reported
        assertNotNull(why, "fallback not detected");
        assertTrue(why.contains("Java threads"), why);
    }

    @Test
    void theEngineRefusesToRunAnywhereButOnItsDevice() {
        AparapiRuntime.Probe probe = AparapiRuntime.probe();
        OpenClEngine engine = new OpenClEngine(probe.device(), probe.info());
        DescentKernel sameClass = new DescentKernel();
        try {
            // preferences are per kernel class: pretend Aparapi had given up on the device
            KernelManager.instance()
                    .setPreferredDevices(sameClass, new LinkedHashSet<>(List.of(JavaDevice.THREAD_POOL)));
            float[] io = engine.ioCapacity(4);
            io[0] = 1f;
            engine.putIo();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> engine.scale(Ref.io(0), 4, 2f));
            assertTrue(e.getMessage().contains("did not run on " + probe.info().describe()), e.getMessage());
            assertTrue(e.getMessage().contains("does not fall back silently"), e.getMessage());
            // and stays refused
            assertThrows(IllegalStateException.class, () -> engine.scale(Ref.io(0), 4, 2f));
        } finally {
            KernelManager.instance().setPreferredDevices(sameClass, new LinkedHashSet<>(List.of(probe.device())));
        }
        // the shared engine is unaffected once the preferences are back
        float[] y = {1f};
        OpenClBackend.create().scale(y, 0, 1, 3f);
        assertEquals(3f, y[0]);
    }

    /**
     * The layer a device-resident session needs: state uploaded once into the mem arena stays on the
     * device across launches; the host copy is not touched until getMem.
     */
    @Test
    void stateStaysResidentOnTheDeviceAcrossLaunches() {
        runResidentSgd(false);
    }

    /**
     * Aparapi re-creates a device buffer from the (stale) host array when the GC has moved the array;
     * the residency sentinel must then say so: never wrong results with memResident() true.
     */
    @Test
    void aGcMoveOfTheArenaIsNeverSilent() {
        runResidentSgd(true);
    }

    private void runResidentSgd(boolean collect) {
        AparapiRuntime.Probe probe = AparapiRuntime.probe();
        OpenClEngine engine = new OpenClEngine(probe.device(), probe.info());
        int n = 1000;
        float[] mem = engine.allocateMem(3 * n);
        for (int i = 0; i < n; i++) {
            mem[i] = (float) Math.sin(i); // p
            mem[n + i] = (float) Math.cos(i) * 0.1f; // g
        }
        float[] p = Arrays.copyOfRange(mem, 0, n), g = Arrays.copyOfRange(mem, n, 2 * n);
        float[] buf = new float[n];
        float[] uploaded = mem.clone();
        engine.putMem();
        assertTrue(engine.memResident());
        Backend ref = new ScalarBackend();
        Sgd rule = Sgd.lr(0.1).momentum(0.9).nesterov().weightDecay(0.01);
        for (int t = 1; t <= 5; t++) {
            var o = new OpenClEngine.UpdateOperands(Ref.mem(0), Ref.mem(n), Ref.mem(2 * n), null, null);
            engine.sgd(rule, o, n, 0.1f, 0.9f, t == 1);
            ref.sgdUpdate(rule, new Sgd.State(buf), p, g, n, 0.1f, 0.9f, t == 1);
            if (collect) churnAndCollect();
        }
        assertArrayEquals(uploaded, mem, "the host copy changed without getMem: buffers are not device-resident");
        boolean resident = engine.memResident();
        engine.getMem();
        boolean correct = Arrays.equals(p, Arrays.copyOfRange(mem, 0, n))
                && Arrays.equals(buf, Arrays.copyOfRange(mem, 2 * n, 3 * n));
        if (collect) {
            assertTrue(correct || !resident, "device state was lost but memResident() said it was intact");
        } else {
            assertTrue(resident, "memResident() after launches without GC");
            assertArrayEquals(p, Arrays.copyOfRange(mem, 0, n), "parameters after 5 resident steps");
            assertArrayEquals(buf, Arrays.copyOfRange(mem, 2 * n, 3 * n), "momentum after 5 resident steps");
        }
        engine.close();
    }

    static volatile Object sink;

    private static void churnAndCollect() {
        for (int i = 0; i < 2000; i++) sink = new float[256];
        System.gc();
    }
}
