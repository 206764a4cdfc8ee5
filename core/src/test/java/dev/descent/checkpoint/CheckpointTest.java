package dev.descent.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.checkpoint.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path root;

    static List<Tensor> model(float fill) {
        float[] w = new float[3 * 4];
        float[] b = new float[3];
        float[] m = new float[15];
        Arrays.fill(w, fill);
        Arrays.fill(b, -fill);
        Arrays.fill(m, fill / 2);
        return List.of(
                Tensor.of("layers.0.weight", w, 3, 4),
                Tensor.of("layers.0.bias", b, 3),
                Tensor.of("optimizer.momentum_buffer", m, 15));
    }

    static Map<String, Object> state(long step) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("step", step);
        s.put("epoch", 2);
        s.put("lr", 0.05);
        s.put("seed", Long.MIN_VALUE + 7);
        s.put("optimizer", Map.of("name", "sgd", "step", step));
        s.put("history", List.of(Map.of("epoch", 1L, "loss", 2.25)));
        s.put("losses", new double[] {2.5, 1.25});
        s.put("note", null);
        return s;
    }

    @Test
    void roundTripsTensorsAndState() throws Exception {
        Path dir = root.resolve("runs/ckpt");
        Checkpoint.write(dir, model(1f), state(100));
        Checkpoint c = Checkpoint.read(dir);
        assertEquals(dir, c.dir());
        assertEquals(model(1f), List.copyOf(c.tensors().values()));
        assertEquals(Map.of("format", "pt"), c.model().metadata());
        assertEquals(100L, c.stateLong("step"));
        assertEquals(2L, c.stateLong("epoch"));
        assertEquals(0.05, c.stateDouble("lr"));
        assertEquals(2.0, c.stateDouble("epoch"), "an integer reads as a double too");
        assertEquals(Long.MIN_VALUE + 7, c.stateLong("seed"));
        assertEquals("sgd", c.stateObject("optimizer").get("name"));
        assertEquals(List.of(2.5, 1.25), c.stateList("losses"));
        assertEquals(null, c.stateValue("note"));
        assertArrayEquals(new float[] {-1f, -1f, -1f}, c.requireShape("layers.0.bias", 3));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of("model.safetensors", "state.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String json = Files.readString(dir.resolve("state.json"));
        assertTrue(
                json.matches("(?s)\\{\n  \"format\": \"descent-checkpoint\",\n  \"version\": 2,\n"
                        + "  \"model_sha256\": \"[0-9a-f]{64}\",\n  \"state_sha256\": \"[0-9a-f]{64}\",\n"
                        + "  \"state\": \\{\n.*"),
                json);
        assertEquals(
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(Files.readAllBytes(dir.resolve("model.safetensors")))),
                c.model().sha256(),
                "model_sha256 is the SHA-256 of the whole file (sha256sum model.safetensors)");
    }

    @Test
    void overwritingReplacesTheCheckpointAndLeavesNoSiblings() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(1));
        Checkpoint.write(dir, model(2f), state(2));
        Checkpoint c = Checkpoint.read(dir);
        assertEquals(model(2f), List.copyOf(c.tensors().values()));
        assertEquals(2L, c.stateLong("step"));
        assertEquals(List.of(dir), list(root));
    }

    @Test
    void aFailureWhileWritingLeavesThePreviousCheckpointAndNoTemporaryFiles() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(1));
        byte[] model = Files.readAllBytes(dir.resolve("model.safetensors"));
        byte[] json = Files.readAllBytes(dir.resolve("state.json"));
        // fail in the first file written (model.safetensors) or the second (state.json), early or late
        for (int channel : new int[] {1, 2})
            for (long failAt : new long[] {0, 100}) {
                assertThrows(
                        IOException.class,
                        () -> Checkpoint.write(dir, model(2f), state(2), failingOnChannel(channel, failAt)));
                assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.safetensors")));
                assertArrayEquals(json, Files.readAllBytes(dir.resolve("state.json")));
                assertEquals(List.of(dir), list(root), "no temporary directory left behind");
                assertEquals(2, list(dir).size());
            }
        assertEquals(2L, Checkpoint.read(dir).stateLong("step") + 1);
    }

    /** Fails the {@code channel}-th file written (1-based) after {@code limit} bytes. */
    private static UnaryOperator<WritableByteChannel> failingOnChannel(int channel, long limit) {
        int[] opened = {0};
        return ch ->
                ++opened[0] == channel ? SafeTensorsTest.failingAfter(limit).apply(ch) : ch;
    }

    @Test
    void invalidArgumentsFailBeforeTouchingTheDisk() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(1));
        byte[] json = Files.readAllBytes(dir.resolve("state.json"));
        Map<String, Object> bad = state(2);
        bad.put("history", List.of(Map.of("loss", Double.NaN)));
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.write(dir, model(2f), bad));
        assertEquals(
                "checkpoint state cannot be written as JSON: state.history[0].loss: NaN is not a JSON number",
                e.getMessage());
        List<Tensor> dup = List.of(Tensor.of("x", new float[1]), Tensor.of("x", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.write(dir, dup, state(2)));
        assertArrayEquals(json, Files.readAllBytes(dir.resolve("state.json")));
        assertEquals(List.of(dir), list(root));
    }

    @Test
    void refusesToReplaceSomethingThatIsNotACheckpoint() throws IOException {
        Path dir = Files.createDirectories(root.resolve("home"));
        Files.writeString(dir.resolve("thesis.tex"), "precious");
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.write(dir, model(1f), state(1)));
        assertEquals(
                dir + ": exists and is not a Descent checkpoint (it holds 'thesis.tex'); refusing to replace it",
                e.getMessage());
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThrows(CheckpointException.class, () -> Checkpoint.write(file, model(1f), state(1)));
        assertEquals("precious", Files.readString(dir.resolve("thesis.tex")));
        assertEquals(List.of(file, dir), list(root));
    }

    @Test
    void aCrashBetweenTheTwoRenamesLeavesTheOldCheckpointReadable() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(1));
        // the state right after "rename DIR to DIR.old-*" and before "rename DIR.tmp-* to DIR"
        Path old = root.resolve("ckpt.old-0123456789ab");
        Files.move(dir, old);
        Path tmp = Files.createDirectories(root.resolve("ckpt.tmp-0123456789ab"));
        Files.writeString(tmp.resolve("state.json"), "{\"format\": \"descent-chec"); // half-written new one
        Checkpoint c = Checkpoint.read(dir);
        assertEquals(old, c.dir());
        assertEquals(1L, c.stateLong("step"));
        Checkpoint.write(dir, model(2f), state(2)); // the next checkpoint cleans up
        assertEquals(2L, Checkpoint.read(dir).stateLong("step"));
        assertEquals(List.of(dir), list(root));
    }

    @Test
    void aModelOfAnotherShapeGivesAClearMessage() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(1));
        Checkpoint c = Checkpoint.read(dir);
        var e = assertThrows(CheckpointException.class, () -> c.requireShape("layers.0.weight", 4, 3));
        assertEquals(
                dir.resolve("model.safetensors") + ": tensor 'layers.0.weight' has shape [3, 4], expected [4, 3]; "
                        + "the checkpoint is of a different model",
                e.getMessage());
        e = assertThrows(CheckpointException.class, () -> c.requireShape("layers.1.weight", 2, 3));
        assertEquals(
                dir.resolve("model.safetensors") + ": has no tensor 'layers.1.weight'; it has layers.0.weight, "
                        + "layers.0.bias, optimizer.momentum_buffer",
                e.getMessage());
        e = assertThrows(CheckpointException.class, () -> c.stateLong("lr"));
        assertEquals(dir.resolve("state.json") + ": state 'lr' must be an integer, found 0.05", e.getMessage());
        e = assertThrows(CheckpointException.class, () -> c.stateLong("missing"));
        assertTrue(
                e.getMessage().startsWith(dir.resolve("state.json") + ": has no state 'missing'; it has step, epoch"),
                e.getMessage());
    }

    @Test
    void damagedCheckpointsNameTheFileAndTheProblem() throws IOException {
        Path dir = root.resolve("ckpt");
        Path state = dir.resolve("state.json");
        Path model = dir.resolve("model.safetensors");
        assertBad(dir, dir, "no such checkpoint directory");
        Checkpoint.write(dir, model(1f), state(1));
        String good = Files.readString(state);

        Files.writeString(state, good.replace("\"lr\": 0.05,", "\"lr\": 0.05"));
        assertBad(dir, state, "10:5: expected ',' or '}' after an object member, found \"\\\"seed\\\"");
        Files.writeString(state, good.replace("\"version\": 2", "\"version\": 3"));
        assertBad(dir, state, "has layout version 3; this Descent reads versions 1 to 2");
        Files.writeString(state, "{\"format\": \"something-else\"}");
        assertBad(dir, state, "expected a JSON object with \"format\": \"descent-checkpoint\"");
        Files.writeString(state, "{\"format\": \"descent-checkpoint\", \"version\": 1, \"state\": []}");
        assertBad(dir, state, "expected an object \"state\", found []");
        Files.write(state, new byte[] {'{', (byte) 0xff, '}'});
        assertBad(dir, state, "is not valid UTF-8");
        Files.delete(state);
        assertBad(dir, state, "missing; the checkpoint is incomplete");
        Files.writeString(state, good);

        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, Arrays.copyOf(bytes, bytes.length - 1));
        assertBad(
                dir,
                model,
                "tensor 'optimizer.momentum_buffer' data_offsets [60, 120] end beyond the data section, which has 119 bytes (file size 383); the file is truncated");
        Files.delete(model);
        assertBad(dir, model, "no such file");
    }

    @Test
    void aSymbolicLinkIsNeverFollowedToReplaceOrDelete() throws IOException {
        Path keep = root.resolve("keep");
        Checkpoint.write(keep, model(1f), state(1));
        byte[] kept = Files.readAllBytes(keep.resolve("model.safetensors"));
        Path link = Files.createSymbolicLink(root.resolve("ckpt"), keep);
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.write(link, model(2f), state(2)));
        assertEquals(
                link + ": is a symbolic link (to " + keep + "); refusing to replace or delete through it:"
                        + " remove the link or name the folder itself",
                e.getMessage());
        assertArrayEquals(kept, Files.readAllBytes(keep.resolve("model.safetensors")));
        assertEquals(1L, Checkpoint.read(keep).stateLong("step"));

        // a leftover sibling that is a link is not cleaned up through the link either
        Files.delete(link);
        Path other = root.resolve("other");
        Checkpoint.write(other, model(3f), state(3));
        Files.createSymbolicLink(root.resolve("ckpt.old-0123456789ab"), keep);
        Files.createSymbolicLink(root.resolve("ckpt.tmp-0123456789ab"), other);
        Checkpoint.write(root.resolve("ckpt"), model(2f), state(2));
        assertArrayEquals(kept, Files.readAllBytes(keep.resolve("model.safetensors")));
        assertEquals(3L, Checkpoint.read(other).stateLong("step"));
    }

    @Test
    void flippedBitsInTheTensorsAreRefused() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(1));
        Path file = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 5] ^= 0x10; // one bit of optimizer.momentum_buffer: still a well-formed file
        Files.write(file, bytes);
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.read(dir));
        assertEquals(file, e.file());
        assertTrue(
                e.getMessage()
                        .startsWith(file + ": content does not match the SHA-256 recorded in "
                                + dir.resolve("state.json") + " (model_sha256 "),
                e.getMessage());
    }

    @Test
    void anEditedStateIsRefused() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(100));
        Path file = dir.resolve("state.json");
        Files.writeString(file, Files.readString(file).replace("\"step\": 100", "\"step\": 101"));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.read(dir));
        assertEquals(file, e.file());
        assertTrue(
                e.getMessage()
                        .startsWith(file + ": \"state\" does not match its checksum state_sha256 (edited or damaged"),
                e.getMessage());
    }

    @Test
    void aFifoOrADeviceIsRefusedWithoutReadingIt() throws Exception {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(1));
        Path state = dir.resolve("state.json");
        Files.delete(state);
        Process mkfifo = new ProcessBuilder("mkfifo", state.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
        var e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10),
                () -> assertThrows(CheckpointException.class, () -> Checkpoint.read(dir)));
        assertEquals(state + ": is not a regular file (a FIFO, device or link); refusing to read it", e.getMessage());

        Checkpoint.write(root.resolve("b"), model(1f), state(1));
        Path model = root.resolve("b/model.safetensors");
        Files.delete(model);
        Files.createSymbolicLink(model, Path.of("/dev/zero"));
        e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10),
                () -> assertThrows(CheckpointException.class, () -> Checkpoint.read(root.resolve("b"))));
        assertEquals(model + ": is not a regular file (a FIFO, device or link); refusing to read it", e.getMessage());
    }

    @Test
    void aVersion1CheckpointWithoutChecksumsIsStillReadAndTheNextWriteAddsThem() throws IOException {
        Path dir = root.resolve("ckpt");
        Checkpoint.write(dir, model(1f), state(7));
        Path file = dir.resolve("state.json");
        String v2 = Files.readString(file);
        String v1 = v2.replace("\"version\": 2", "\"version\": 1")
                .replaceAll("  \"(model|state)_sha256\": \"[0-9a-f]{64}\",\n", "");
        assertTrue(!v1.contains("sha256") && v1.contains("\"version\": 1"), v1);
        Files.writeString(file, v1);
        Checkpoint c = Checkpoint.read(dir); // logs: integrity cannot be verified
        assertEquals(7L, c.stateLong("step"));
        Checkpoint.write(dir, List.copyOf(c.tensors().values()), c.state());
        assertEquals(v2, Files.readString(file), "rewritten with checksums, otherwise the same");
    }

    private static void assertBad(Path dir, Path file, String problemStart) {
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.read(dir));
        assertTrue(e.getMessage().startsWith(file + ": " + problemStart), "got: " + e.getMessage());
        assertEquals(file, e.file());
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
