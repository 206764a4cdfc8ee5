package dev.descent.gpu;

import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;

/** Run in a child JVM by {@link OpenClUnavailableTest}: prints what the provider says about OpenCL. */
public final class UnavailableProbeMain {

    public static void main(String[] args) {
        BackendProvider p = new OpenClBackendProvider();
        if (args.length > 0 && args[0].equals("priority")) {
            System.out.println("priority=" + p.priority());
            System.out.println("probed=" + AparapiRuntime.probed());
            return;
        }
        System.out.println("available=" + p.available());
        System.out.println("priority=" + p.priority());
        System.out.println("reason=" + p.unavailableReason());
        System.out.println("devices=" + OpenClDevices.list().size());
        try {
            Backends.byName("gpu");
            System.out.println("byName=ok");
        } catch (IllegalArgumentException e) {
            System.out.println("byName=" + e.getMessage());
        }
        if (args.length > 0 && args[0].equals("fallback")) {
            var b = Backends.byName("gpu-or-simd");
            System.out.println("fallback=" + b.name() + " " + b.getClass().getSimpleName());
            System.out.print(OpenClDevices.report());
        }
    }
}
