package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.backend.Activation;
import dev.descent.backend.ScalarBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A workspace whose arrays come from the caller's allocator (what a device session binds to its memory). */
class WorkspaceAllocatorTest {

    @Test
    void everyArrayComesFromTheAllocatorWhenMadeAndWhenGrownAndPassesAreUnchanged() {
        Sequential m = Models.image(1, 6, 6)
                .conv2d(2, 3)
                .activation(Activation.RELU)
                .maxPool2d(2)
                .flatten()
                .dense(3)
                .build();
        List<Integer> asked = new ArrayList<>();
        Sequential.Workspace ws = m.workspace(2, n -> {
            asked.add(n);
            return new float[n];
        });
        // per layer its output and its scratch, then the two delta buffers
        int layers = m.layers().size();
        assertEquals(2 * layers + 2, asked.size(), "arrays of a new workspace: " + asked);
        asked.clear();
        ws.reserve(2);
        assertEquals(List.of(), asked, "no growth, no allocation");
        ws.reserve(5);
        assertEquals(2 * layers + 2, asked.size(), "every array anew when it grows: " + asked);
        assertEquals(5 * 2 * 4 * 4, (int) asked.get(0), "conv output for 5 rows");

        float[] p = m.initialParameters(3), x = new float[5 * 36];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        var b = new ScalarBackend();
        float[] own = m.forward(b, p, x, 5, m.workspace(5)).clone();
        assertArrayEquals(own, java.util.Arrays.copyOf(m.forward(b, p, x, 5, ws), 15));
    }
}
