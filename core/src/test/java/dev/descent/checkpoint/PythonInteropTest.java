package dev.descent.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files written by the reference implementation (Python {@code safetensors} 0.8.0, with NumPy):
 *
 * <pre>
 * w = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 4
 * b = np.array([0.1, -0.2, 3e-8], dtype=np.float32)
 * z = np.zeros((0, 2), dtype=np.float32)
 * s = np.array(2.5, dtype=np.float32)
 * save_file({"layers.0.weight": w, "layers.0.bias": b, "empty": z, "scalar": s},
 *           "python_f32.safetensors", metadata={"format": "pt", "producer": "safetensors 0.8.0"})
 * save_file({"half": np.array([1, 2], dtype=np.float16), "w": w}, "python_f16.safetensors")
 * </pre>
 *
 * The other direction was checked by hand the same day: {@code safetensors.numpy.load_file} reads
 * files written by {@link SafeTensors#write} and {@link Checkpoint#write} with the same names,
 * shapes, values and metadata.
 */
class PythonInteropTest {

    @Test
    void readsAFileWrittenByTheReferenceImplementation() throws IOException {
        SafeTensorsFile f = SafeTensors.read(resource("python_f32.safetensors"));
        assertEquals(
                List.of("empty", "layers.0.bias", "layers.0.weight", "scalar"),
                List.copyOf(f.tensors().keySet()));
        float[] w = new float[12];
        for (int i = 0; i < 12; i++) w[i] = (i - 5.5f) / 4;
        assertArrayEquals(w, f.requireShape("layers.0.weight", 3, 4));
        assertArrayEquals(new float[] {0.1f, -0.2f, 3e-8f}, f.requireShape("layers.0.bias", 3));
        assertArrayEquals(new float[0], f.requireShape("empty", 0, 2));
        assertArrayEquals(new float[] {2.5f}, f.requireShape("scalar"));
        assertEquals(Map.of("format", "pt", "producer", "safetensors 0.8.0"), f.metadata());
    }

    @Test
    void rejectsOtherDtypesByName() {
        Path p = resource("python_f16.safetensors");
        var e = assertThrows(CheckpointException.class, () -> SafeTensors.read(p));
        assertEquals(
                p + ": tensor 'half' has dtype \"F16\"; Descent reads only \"F32\" (float32) tensors", e.getMessage());
    }

    private static Path resource(String name) {
        try {
            return Path.of(PythonInteropTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
