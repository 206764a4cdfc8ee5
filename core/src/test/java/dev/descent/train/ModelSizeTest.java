package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.data.Dataset;
import dev.descent.data.Sizes;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import org.junit.jupiter.api.Test;

/** Parameter counts never wrap, and a model too large for the heap is refused before it is allocated. */
class ModelSizeTest {

    static final Dataset DATA = Dataset.classification("tiny", new float[784 * 4], 784, new int[] {0, 1, 2, 3}, 10);

    @Test
    void aParameterCountThatWouldWrapIsRefusedNamingTheLayer() {
        // 784 × 486,222,714 + 486,222,714 + 10 × 486,222,714 + 10 wraps to exactly 1,000 in int
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Models.mlp(784).dense(486_222_714, Activation.RELU).dense(10));
        assertEquals(
                "a dense layer 784→486222714 has 381,684,830,490 parameters (486,222,714×784 weights + 486,222,714"
                        + " biases); with the 0 before it the model would have 381,684,830,490, more than one float"
                        + " array holds (2,147,483,639)",
                e.getMessage());
        // the second layer pushes the total past 2³¹ − 8
        var second = assertThrows(
                IllegalArgumentException.class,
                () -> Models.mlp(1).dense(1_000_000_000).dense(1));
        assertTrue(
                second.getMessage()
                        .startsWith("a dense layer 1000000000→1 has 1,000,000,001 parameters (1×1,000,000,000"
                                + " weights + 1 biases); with the 2,000,000,000 before it the model would have"
                                + " 3,000,000,001"),
                second.getMessage());
        assertEquals(
                101_770,
                Models.mlp(784).dense(128, Activation.RELU).dense(10).build().parameterCount());
    }

    @Test
    void trainingThatCannotFitInTheHeapIsRefusedBeforeAllocating() {
        // 784×1,000,000 + ... ≈ 795 M parameters: 6 copies × 4 bytes + a batch ≈ 17.8 GB
        Sequential wide =
                Models.mlp(784).dense(1_000_000, Activation.RELU).dense(10).build();
        String old = System.getProperty(Sizes.HEAP_PROPERTY);
        System.setProperty(Sizes.HEAP_PROPERTY, Long.toString(4L << 30));
        try {
            var e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Trainer.checkMemory(wide, Optimizers.sgd(0.1).momentum(0.9), 64, DATA));
            assertTrue(
                    e.getMessage()
                            .equals(
                                    "training Sequential(784 -> 1000000 relu -> 10 identity, 795000010 parameters) with batches of"
                                            + " 4 rows needs 17.8 GB, more than the heap limit of 4.0 GB (raise it with -Xmx)"),
                    e.getMessage());
            // the flagship fits
            Trainer.checkMemory(
                    Models.mlp(784).dense(128, Activation.RELU).dense(10).build(), Optimizers.sgd(0.1), 64, DATA);
        } finally {
            if (old == null) System.clearProperty(Sizes.HEAP_PROPERTY);
            else System.setProperty(Sizes.HEAP_PROPERTY, old);
        }
    }

    @Test
    void byteCountsForPeople() {
        assertEquals("812 bytes", Sizes.bytes(812));
        assertEquals("1.5 KB", Sizes.bytes(1536));
        assertEquals("8.0 GB", Sizes.bytes(8L << 30));
        assertEquals(Long.MAX_VALUE, Sizes.saturatedMultiply(Long.MAX_VALUE / 2, 3));
        assertEquals(12, Sizes.saturatedMultiply(3, 4));
    }
}
