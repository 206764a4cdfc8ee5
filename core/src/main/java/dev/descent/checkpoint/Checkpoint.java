package dev.descent.checkpoint;

import dev.descent.checkpoint.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A training checkpoint: a directory holding two files, and nothing else.
 *
 * <pre>
 * DIR/model.safetensors   the tensors, in {@link SafeTensors safetensors} format (float32), with
 *                         metadata {"format": "pt"}; conventionally the model's parameters named
 *                         like a PyTorch state_dict ("layers.0.weight" [out, in], "layers.0.bias"
 *                         [out], ...) and the optimizer's buffers as flat tensors
 *                         ("optimizer.momentum_buffer" [n], ...)
 * DIR/state.json          {"format": "descent-checkpoint", "version": 2,
 *                          "model_sha256": "…", "state_sha256": "…", "state": {...}}: every other
 *                         value (optimizer step and scalars, schedule step, RNG seed and position,
 *                         history, metadata) as JSON, see {@link Json}, and the checksums
 * </pre>
 *
 * The trainer decides the tensor names and state keys; this class only stores and checks them.
 * {@code safetensors.torch.load_file("DIR/model.safetensors")} loads the tensors in Python.
 *
 * <p><b>Integrity.</b> {@code model_sha256} is the SHA-256 of the whole {@code model.safetensors}
 * file and {@code state_sha256} the SHA-256 of the {@code "state"} object in its canonical compact
 * form ({@link Json#write} of the state as read back); {@link #read} recomputes both and refuses a
 * checkpoint whose tensors or state were damaged or edited, naming the file. The safetensors file
 * itself is unchanged (PyTorch loads it as before). A layout-version-1 checkpoint (written before
 * the checksums) is still read, with one logged warning that its integrity cannot be verified; the
 * next {@link #write} gives it checksums.
 *
 * <p><b>Atomic replacement.</b> {@link #write} builds the new checkpoint in a sibling directory
 * {@code DIR.tmp-RANDOM} (each file fsynced), then, if {@code DIR} exists, renames it to
 * {@code DIR.old-RANDOM}, renames the new one to {@code DIR}, and deletes the old one. At every
 * moment a complete checkpoint exists: the old one as {@code DIR} or, for the instant between the
 * two renames, as {@code DIR.old-RANDOM}; then the new one as {@code DIR}. If the process dies in
 * that instant, {@link #read} of {@code DIR} finds the old one under {@code DIR.old-RANDOM}, and the
 * next successful {@code write} removes such leftovers. A failure while writing (an exception, a
 * full disk) deletes the temporary directory and leaves {@code DIR} as it was. One writer per
 * {@code DIR} at a time is assumed ({@link OutputLock} enforces it across processes; the trainer
 * holds it). {@code write} refuses to replace a directory that holds anything but a checkpoint's two
 * files, so a wrong path cannot delete unrelated data, and refuses a {@code DIR} that is a symbolic
 * link; leftovers that are links are left alone: nothing is ever deleted through a link. A leftover
 * {@code DIR.old-*} is deleted only after a newer complete checkpoint is in place, so the only
 * complete checkpoint is never deleted.
 *
 * <p><b>Reading</b> validates both files completely and throws {@link CheckpointException} naming
 * the file and the problem; {@link #requireShape} checks that a tensor fits the model being
 * resumed.
 *
 * @param dir the checkpoint directory that was read (or the {@code .old-} directory it fell back to)
 * @param model the tensors and metadata of {@code model.safetensors}
 * @param state the {@code "state"} object of {@code state.json} (read-only), values as {@link Json}
 *     reads them: Long, Double, String, Boolean, null, List, Map
 */
public record Checkpoint(Path dir, SafeTensorsFile model, Map<String, Object> state) {

    /** Name of the tensors file inside a checkpoint directory. */
    public static final String MODEL_FILE = "model.safetensors";

    /** Name of the JSON state file inside a checkpoint directory. */
    public static final String STATE_FILE = "state.json";

    /** Value of {@code "format"} in {@code state.json}. */
    public static final String FORMAT = "descent-checkpoint";

    /** The layout version this class writes and the highest it reads (2: with checksums). */
    public static final int VERSION = 2;

    /**
     * The conventional name of a checkpoint folder inside a run's output folder ({@code --out}):
     * {@link #locate} looks for it.
     */
    public static final String DEFAULT_NAME = "checkpoint";

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Checkpoint.class.getName());

    private static final long MAX_STATE_BYTES = 100_000_000L;

    public Checkpoint {
        state = Collections.unmodifiableMap(new LinkedHashMap<>(state));
    }

    /**
     * Writes a checkpoint directory atomically (see the class comment): the tensors to
     * {@code model.safetensors} and the state map to {@code state.json}. Parent directories are
     * created as needed.
     *
     * @param state values {@link Json#write} accepts (numbers, strings, booleans, null, lists,
     *     arrays, maps with String keys)
     * @throws IllegalArgumentException before anything is written, if two tensors share a name or the
     *     state holds something JSON cannot (NaN, infinity, other types); the message names the key
     * @throws CheckpointException if {@code dir} exists and is not a checkpoint directory
     * @throws IOException if the file system fails; {@code dir} is then unchanged
     */
    public static void write(Path dir, List<Tensor> tensors, Map<String, ?> state) throws IOException {
        write(dir, tensors, state, UnaryOperator.identity());
    }

    /** {@link #write} with a hook around each file's output channel, for failure-injection tests. */
    static void write(Path dir, List<Tensor> tensors, Map<String, ?> state, UnaryOperator<WritableByteChannel> wrap)
            throws IOException {
        String compact;
        try {
            compact = Json.write(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "checkpoint state cannot be written as JSON: "
                            + e.getMessage().replaceFirst("^\\$", "state"),
                    e);
        }
        String canonical = Json.write(Json.parse(compact)); // exactly what a reader will hash
        SafeTensors.header(tensors, Map.of()); // validates tensor names before touching the disk

        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        requireReplaceable(dir);
        Files.createDirectories(parent);
        Path tmp = parent.resolve(name + ".tmp-" + AtomicFiles.randomSuffix());
        Files.createDirectory(tmp);
        boolean done = false;
        try {
            String modelSha = SafeTensors.write(tmp.resolve(MODEL_FILE), tensors, Map.of("format", "pt"), wrap);
            Map<String, Object> wrapper = new LinkedHashMap<>();
            wrapper.put("format", FORMAT);
            wrapper.put("version", VERSION);
            wrapper.put("model_sha256", modelSha);
            wrapper.put("state_sha256", sha256(canonical));
            wrapper.put("state", state);
            byte[] json = Json.writePretty(wrapper).getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(tmp.resolve(STATE_FILE), out -> AtomicFiles.writeFully(out, ByteBuffer.wrap(json)), wrap);
            AtomicFiles.syncDirectory(tmp);
            Path old = null;
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                old = parent.resolve(name + ".old-" + AtomicFiles.randomSuffix());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    try {
                        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException restore) {
                        e.addSuppressed(restore);
                    }
                    throw e;
                }
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            done = true;
            AtomicFiles.syncDirectory(parent);
            if (old != null) deleteCheckpointDirectory(old);
        } finally {
            if (!done) deleteCheckpointDirectory(tmp);
        }
        try { // best effort: leftovers of earlier writes that were interrupted by a crash
            for (Path leftover : leftovers(parent, name, ".old-")) deleteCheckpointDirectory(leftover);
            for (Path leftover : leftovers(parent, name, ".tmp-")) deleteCheckpointDirectory(leftover);
        } catch (IOException ignored) {
            // the new checkpoint is complete; stale siblings are only untidy
        }
    }

    /**
     * Reads a checkpoint directory written by {@link #write}. If {@code dir} does not exist but a
     * complete {@code DIR.old-*} left by an interrupted {@code write} does, reads that (the newest):
     * see {@link #find}.
     *
     * @throws CheckpointException if the checkpoint is missing, incomplete, malformed, damaged or
     *     edited (a checksum does not match), or was written by a newer layout version; the message
     *     names the file and the problem
     * @throws IOException if the file system fails
     */
    public static Checkpoint read(Path dir) throws IOException {
        Path from = find(dir).orElseThrow(() -> new CheckpointException(dir, "no such checkpoint directory"));
        if (!Files.isDirectory(from)) throw new CheckpointException(from, "is not a checkpoint directory");
        Path stateFile = from.resolve(STATE_FILE);
        Map<?, ?> wrapper = readState(stateFile);
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) wrapper.get("state");
        SafeTensorsFile model = SafeTensors.read(from.resolve(MODEL_FILE));
        if (((Long) wrapper.get("version")) < 2) {
            LOG.warning(
                    stateFile + ": written by an older Descent (layout version 1, without checksums); its"
                            + " integrity cannot be verified. Reading it anyway; the next checkpoint written carries checksums");
        } else {
            String stateSha = checksum(stateFile, wrapper, "state_sha256");
            String modelSha = checksum(stateFile, wrapper, "model_sha256");
            String actual = sha256(Json.write(state));
            if (!actual.equals(stateSha))
                throw new CheckpointException(
                        stateFile,
                        "\"state\" does not match its checksum state_sha256 (edited or damaged: recorded " + stateSha
                                + ", the state's is " + actual + "); refusing to use it");
            if (!model.sha256().equals(modelSha))
                throw new CheckpointException(
                        model.file(),
                        "content does not match the SHA-256 recorded in " + stateFile + " (model_sha256 " + modelSha
                                + ", the file's is " + model.sha256() + "); the file is damaged or was edited:"
                                + " refusing to use it");
        }
        return new Checkpoint(from, model, state);
    }

    /**
     * Where {@link #read} would read the checkpoint {@code dir}: {@code dir} itself if it exists, else
     * the newest complete {@code DIR.old-*} that a crash in the middle of a {@link #write} left (the
     * previous checkpoint, complete), else empty.
     */
    public static Optional<Path> find(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return Optional.of(dir);
        Path target = dir.toAbsolutePath().normalize();
        if (target.getParent() == null) return Optional.empty();
        List<Path> old = leftovers(target.getParent(), target.getFileName().toString(), ".old-");
        old.removeIf(p -> !Files.isRegularFile(p.resolve(MODEL_FILE), LinkOption.NOFOLLOW_LINKS)
                || !Files.isRegularFile(p.resolve(STATE_FILE), LinkOption.NOFOLLOW_LINKS));
        return old.isEmpty()
                ? Optional.empty()
                : Optional.of(dir.resolveSibling(old.get(old.size() - 1).getFileName()));
    }

    /**
     * The checkpoint in {@code folder}: the folder itself if it is a checkpoint, else its
     * {@value #DEFAULT_NAME} sub-folder (a run's output folder), each with the {@code .old-*}
     * fallback of {@link #find}; empty if neither holds one. The one place that answers "which
     * checkpoint does this folder hold" for the command line and the library.
     */
    public static Optional<Path> locate(Path folder) throws IOException {
        if (Files.isRegularFile(folder.resolve(STATE_FILE)) || Files.isRegularFile(folder.resolve(MODEL_FILE)))
            return Optional.of(folder);
        Optional<Path> inner = find(folder.resolve(DEFAULT_NAME));
        if (inner.isPresent()) return inner;
        Optional<Path> self = find(folder);
        return self.isPresent() && !self.get().equals(folder) ? self : Optional.empty();
    }

    /** Whether {@code dir} (or its {@code .old-*} fallback) holds a checkpoint, complete or not. */
    public static boolean exists(Path dir) throws IOException {
        Optional<Path> at = find(dir);
        if (at.isEmpty()) return false;
        Path p = at.get();
        return Files.exists(p.resolve(STATE_FILE), LinkOption.NOFOLLOW_LINKS)
                || Files.exists(p.resolve(MODEL_FILE), LinkOption.NOFOLLOW_LINKS);
    }

    private static String checksum(Path file, Map<?, ?> wrapper, String key) throws CheckpointException {
        if (wrapper.get(key) instanceof String s && s.matches("[0-9a-f]{64}")) return s;
        throw new CheckpointException(
                file, "has no valid \"" + key + "\" (64 hex digits), found " + Json.write(wrapper.get(key)));
    }

    static String sha256(String text) {
        return java.util.HexFormat.of().formatHex(SafeTensors.sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The checked wrapper object of {@code state.json}: format, version and an object "state". */
    private static Map<?, ?> readState(Path file) throws IOException {
        AtomicFiles.requireRegularFile(file);
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_STATE_BYTES)
                throw new CheckpointException(file, "is larger than " + MAX_STATE_BYTES + " bytes");
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "missing; the checkpoint is incomplete", e);
        }
        Object json;
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            json = Json.parse(text);
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "is not valid UTF-8", e);
        } catch (JsonException e) {
            throw new CheckpointException(file, e.getMessage(), e);
        }
        if (!(json instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format")))
            throw new CheckpointException(
                    file, "expected a JSON object with \"format\": \"" + FORMAT + "\"; not a Descent checkpoint");
        if (!(m.get("version") instanceof Long v) || v < 1 || v > VERSION)
            throw new CheckpointException(
                    file,
                    "has layout version " + Json.write(m.get("version")) + "; this Descent reads versions 1 to "
                            + VERSION);
        if (!(m.get("state") instanceof Map<?, ?>))
            throw new CheckpointException(file, "expected an object \"state\", found " + Json.write(m.get("state")));
        return m;
    }

    /** The tensors by name, in file order. */
    public Map<String, Tensor> tensors() {
        return model.tensors();
    }

    /** The named tensor, or a {@link CheckpointException} listing the tensors there are. */
    public Tensor tensor(String name) throws CheckpointException {
        return model.tensor(name);
    }

    /**
     * The data of the named tensor after checking its shape, e.g. {@code requireShape("layers.0.weight",
     * 10, 784)}; see {@link SafeTensorsFile#requireShape}.
     *
     * @throws CheckpointException naming {@code DIR/model.safetensors}, the tensor, its shape and the
     *     expected one, or the tensors there are if it is missing
     */
    public float[] requireShape(String name, int... shape) throws CheckpointException {
        return model.requireShape(name, shape);
    }

    /** The state value of a top-level key, which must be present (it may be JSON null). */
    public Object stateValue(String key) throws CheckpointException {
        if (!state.containsKey(key))
            throw new CheckpointException(
                    dir.resolve(STATE_FILE), "has no state '" + key + "'; it has " + SafeTensors.names(state.keySet()));
        return state.get(key);
    }

    /** A top-level state value that must be an integer (JSON number without fraction or exponent). */
    public long stateLong(String key) throws CheckpointException {
        return stateAs(key, Long.class, "an integer");
    }

    /** A top-level state value that must be an integer in {@code [min, max]}. */
    public long stateLong(String key, long min, long max) throws CheckpointException {
        return requireLong(key, stateValue(key), min, max);
    }

    /**
     * {@code value}, found at {@code field} of the state (e.g. {@code "plateau.bad_reports"}), as an
     * integer in {@code [min, max]}.
     *
     * @throws CheckpointException naming {@code state.json}, the field, the range and what was found
     */
    public long requireLong(String field, Object value, long min, long max) throws CheckpointException {
        if (value instanceof Long l && l >= min && l <= max) return l;
        throw invalid(field, "an integer in [" + min + ", " + max + "]", value);
    }

    /**
     * {@code value}, found at {@code field} of the state, as a finite number in {@code [min, max]}
     * ({@code minOpen}: excluding min); an integer is converted.
     *
     * @throws CheckpointException naming {@code state.json}, the field, the range and what was found
     */
    public double requireDouble(String field, Object value, double min, boolean minOpen, double max)
            throws CheckpointException {
        if (value instanceof Long || value instanceof Double) {
            double d = ((Number) value).doubleValue();
            if ((minOpen ? d > min : d >= min) && d <= max) return d;
        }
        throw invalid(field, "a number in " + (minOpen ? "(" : "[") + num(min) + ", " + num(max) + "]", value);
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * A refusal naming {@code state.json} and the field: {@code "state 'FIELD' must be EXPECTED,
     * found VALUE"}.
     */
    public CheckpointException invalid(String field, String expected, Object found) {
        return new CheckpointException(
                dir.resolve(STATE_FILE), "state '" + field + "' must be " + expected + ", found " + Json.write(found));
    }

    /** A top-level state value that must be a number (an integer is converted). */
    public double stateDouble(String key) throws CheckpointException {
        Object v = stateValue(key);
        if (v instanceof Long l) return l;
        return stateAs(key, Double.class, "a number");
    }

    /** A top-level state value that must be a string. */
    public String stateString(String key) throws CheckpointException {
        return stateAs(key, String.class, "a string");
    }

    /** A top-level state value that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> stateObject(String key) throws CheckpointException {
        return stateAs(key, Map.class, "an object");
    }

    /** A top-level state value that must be a JSON array. */
    @SuppressWarnings("unchecked")
    public List<Object> stateList(String key) throws CheckpointException {
        return stateAs(key, List.class, "an array");
    }

    private <T> T stateAs(String key, Class<T> type, String what) throws CheckpointException {
        Object v = stateValue(key);
        if (!type.isInstance(v))
            throw new CheckpointException(
                    dir.resolve(STATE_FILE), "state '" + key + "' must be " + what + ", found " + Json.write(v));
        return type.cast(v);
    }

    // ---- directory handling ----

    /**
     * Checks that {@link #write} may replace {@code dir}: it does not exist, or is a directory holding
     * only a checkpoint's files, and is not a symbolic link. A trainer calls it before training, so a
     * run that could not save is refused before it starts.
     *
     * @throws CheckpointException naming {@code dir} and the reason
     */
    public static void requireReplaceable(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        requireNotALink(dir, target);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) requireCheckpointDirectory(dir, target);
    }

    /** Refuses a checkpoint path that is a symbolic link: replacing it would write or delete through it. */
    private static void requireNotALink(Path dir, Path target) throws IOException {
        if (!Files.isSymbolicLink(target)) return;
        throw new CheckpointException(
                dir,
                "is a symbolic link (to " + Files.readSymbolicLink(target)
                        + "); refusing to replace or delete through it: remove the link or name the folder itself");
    }

    private static void requireCheckpointDirectory(Path dir, Path target) throws IOException {
        if (!Files.isDirectory(target))
            throw new CheckpointException(dir, "exists and is not a directory; refusing to replace it");
        try (Stream<Path> entries = Files.list(target)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (!isCheckpointEntry(p.getFileName().toString()))
                    throw new CheckpointException(
                            dir,
                            "exists and is not a Descent checkpoint (it holds '" + p.getFileName()
                                    + "'); refusing to replace it");
            }
        }
    }

    private static boolean isCheckpointEntry(String name) {
        return name.equals(MODEL_FILE)
                || name.equals(STATE_FILE)
                || name.startsWith("." + MODEL_FILE + ".tmp-")
                || name.startsWith("." + STATE_FILE + ".tmp-");
    }

    /**
     * Deletes a directory written by this class: only its known files, then the directory if empty.
     * A symbolic link is left alone (never followed).
     */
    private static void deleteCheckpointDirectory(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator)
                if (isCheckpointEntry(p.getFileName().toString())) AtomicFiles.deleteQuietly(p);
        } catch (IOException ignored) {
            // gone already, or unreadable: leave it
        }
        AtomicFiles.deleteQuietly(dir); // fails harmlessly if something unknown remains
    }

    /** Sibling directories NAME + infix + 12 hex digits, oldest first. */
    private static List<Path> leftovers(Path parent, String name, String infix) throws IOException {
        List<Path> out = new ArrayList<>();
        if (parent == null || !Files.isDirectory(parent)) return out;
        String prefix = name + infix;
        try (Stream<Path> entries = Files.list(parent)) {
            entries.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith(prefix)
                                && n.length() == prefix.length() + 12
                                && n.substring(prefix.length()).chars().allMatch(c -> Character.digit(c, 16) >= 0)
                                && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                    })
                    .forEach(out::add);
        }
        out.sort(Comparator.comparing(p -> {
            try {
                return Files.getLastModifiedTime(p);
            } catch (IOException e) {
                return FileTime.fromMillis(0);
            }
        }));
        return out;
    }
}
