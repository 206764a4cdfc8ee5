package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** What {@link AparapiRuntime} does with or without an OpenCL device: these tests need none. */
class AparapiRuntimeTest {

    @Test
    void aparapiDoesNotSilenceTheRootLoggingHandlers() {
        AparapiRuntime.init();
        OpenClDevices.list();
        // com.aparapi.Config's static initialiser sets every root handler to WARNING; init() undoes it
        for (Handler h : Logger.getLogger("").getHandlers())
            assertTrue(h.getLevel().intValue() <= Level.INFO.intValue(), "root handler level " + h.getLevel());
    }
}
