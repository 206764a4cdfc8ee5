package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void everyTaskRunsExactlyOnce() {
        for (int tasks = 0; tasks <= 9; tasks++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(tasks, 1));
            Workers.forEach(tasks, runs::incrementAndGet);
            for (int t = 0; t < tasks; t++) assertEquals(1, runs.get(t), "task " + t + " of " + tasks);
        }
    }

    @Test
    void nestedWorkRunsInlineInsteadOfNesting() {
        AtomicIntegerArray runs = new AtomicIntegerArray(4 * 4);
        Workers.forEach(4, outer -> Workers.forEach(4, inner -> runs.incrementAndGet(outer * 4 + inner)));
        for (int i = 0; i < 16; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void firstFailureIsRethrown() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> Workers.forEach(8, t -> {
                    if (t == 5) throw boom;
                }));
        assertSame(boom, thrown);
    }
}
