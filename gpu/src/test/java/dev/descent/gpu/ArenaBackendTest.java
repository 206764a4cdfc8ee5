package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.backend.Backend;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device session's backend never runs an interface default's host loop on its handles. */
class ArenaBackendTest {

    /**
     * Every operation of {@link Backend} is declared by {@link ArenaBackend}: with a kernel, or
     * refusing with {@link UnsupportedOnDevice}. A new default operation fails this test until the
     * gpu module decides, so a layer using it is refused by name instead of computing on empty
     * handles or falling back to the CPU. A default marked {@link Backend.Composed} (written only
     * with other operations, so it runs on this backend's kernels for them) needs no declaration.
     */
    @Test
    void everyBackendOperationIsDeclaredByTheArenaBackend() {
        assertEquals(List.of(), undeclared(ArenaBackend.class), "Backend operations ArenaBackend does not declare");
    }

    /**
     * The same for the host-array gpu backend: a layer operation runs the session's kernels on
     * staged copies of its arrays (or refuses), never the interface's host loop, so {@code descent
     * reference --backend gpu} checks the device's layer kernels.
     */
    @Test
    void everyBackendOperationIsDeclaredByTheHostArrayGpuBackend() {
        assertEquals(List.of(), undeclared(OpenClBackend.class), "Backend operations OpenClBackend does not declare");
    }

    private static List<String> undeclared(Class<?> backend) {
        List<String> missing = new ArrayList<>();
        for (Method m : Backend.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isAnnotationPresent(Backend.Composed.class)) continue;
            try {
                backend.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName() + Arrays.toString(m.getParameterTypes()));
            }
        }
        return missing;
    }

    /** The mark is only on defaults: an abstract operation has no composition to fall back to. */
    @Test
    void onlyDefaultOperationsAreMarkedComposed() {
        List<String> marked = new ArrayList<>();
        for (Method m : Backend.class.getMethods())
            if (m.isAnnotationPresent(Backend.Composed.class) && !m.isDefault()) marked.add(m.getName());
        assertEquals(List.of(), marked, "abstract Backend operations marked @Composed");
    }
}
