package dev.descent.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint or safetensors file is missing, incomplete, malformed, or does not fit what the
 * caller expects (a tensor of another shape, a missing state entry). Every reader in this package
 * throws this one type for every problem with a file's content; the message starts with the file
 * and says what was expected, e.g.
 *
 * <pre>
 * run/ckpt/model.safetensors: tensor 'layers.0.weight' data_offsets [0, 400] need 4·10·784 = 31360 bytes
 * run/ckpt/model.safetensors: tensor 'layers.0.weight' has shape [10, 784], expected [10, 785]
 * run/ckpt/state.json:3:14: expected ',' or '}' after an object member, found "\"lr\": 0.1"
 * </pre>
 *
 * <p>It is a checked {@link IOException} on purpose: resuming from a checkpoint is file input, and
 * a caller can handle "unreadable disk" and "corrupt checkpoint" with one {@code catch}. Failures
 * of the operating system itself (permissions, disk full) are reported as the plain
 * {@code IOException} the JDK throws. Invalid arguments to the writers (a tensor whose data does
 * not match its shape, a NaN in the state) are programming errors and throw
 * {@link IllegalArgumentException} before anything is written.
 */
public sealed class CheckpointException extends IOException permits CheckpointConflictException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** A problem with {@code file}; the message is {@code file + ": " + problem}. */
    public CheckpointException(Path file, String problem) {
        this(file, problem, null);
    }

    /** As {@link #CheckpointException(Path, String)}, with the exception that revealed it. */
    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file (or checkpoint directory) the problem is in. */
    public Path file() {
        return file;
    }
}
