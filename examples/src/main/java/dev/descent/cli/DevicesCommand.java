package dev.descent.cli;

import dev.descent.gpu.OpenClDevices;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code descent devices}: the OpenCL platforms and devices, and which backend {@code auto} picks. */
@Command(
        name = "devices",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the OpenCL platforms and devices (name, vendor, type, compute units, memory), the device"
                    + " backend 'gpu' runs on (-Ddescent.opencl.device=<index or name> picks another), and which"
                    + " backend 'auto' picks and why.",
            "Exits 1 when there is no OpenCL device."
        })
final class DevicesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.print(OpenClDevices.report());
        return OpenClDevices.chosen().isPresent() ? 0 : 1;
    }
}
