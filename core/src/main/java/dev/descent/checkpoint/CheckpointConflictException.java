package dev.descent.checkpoint;

import java.nio.file.Path;

/**
 * A run was about to replace a checkpoint it did not write: another run's, found in the checkpoint
 * folder it was told to use. Nothing has been written. The message names the folder, the checkpoint
 * found (which may be a {@code NAME.old-*} that a crash left), what run it is, and the ways on:
 *
 * <pre>
 * run/checkpoint: holds the checkpoint of another run (MLP 784-128-10 …, 1 of 3 epochs done, 8000
 * training rows, seed 42, batch size 64); resume that run, checkpoint into another folder, or allow
 * replacing it (TrainingConfig.withCheckpointOverwrite)
 * </pre>
 *
 * A command line catches it to name its own options instead ({@link #run()}, {@link #existing()}).
 */
public final class CheckpointConflictException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    private final transient Path existing;
    private final String run;

    /**
     * @param dir the checkpoint folder this run would write
     * @param existing the checkpoint found there ({@code dir} or a {@code dir.old-*} fallback)
     * @param run what run the existing checkpoint is (model, optimizer, epochs, rows, seed, batch)
     * @param waysOn what the caller can do, e.g. "resume that run, …"
     */
    public CheckpointConflictException(Path dir, Path existing, String run, String waysOn) {
        super(
                dir,
                "holds the checkpoint of another run (" + run + ")"
                        + (existing.equals(dir) ? "" : ", left as " + existing + " by an interrupted write") + "; "
                        + waysOn);
        this.existing = existing;
        this.run = run;
    }

    /** The checkpoint found: the folder itself, or a {@code .old-*} that a crash left. */
    public Path existing() {
        return existing;
    }

    /** What run the existing checkpoint is, for messages. */
    public String run() {
        return run;
    }
}
