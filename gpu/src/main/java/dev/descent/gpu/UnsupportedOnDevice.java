package dev.descent.gpu;

/**
 * What {@link ArenaBackend} throws for an operation the OpenCL device has no kernel for (or an
 * array that is none of the session's device buffers). Its message completes "layer L cannot run:
 * ..."; the training session turns it into a refusal that names the layer and the backend when it
 * opens, so a model the device cannot run never trains, and never falls back to the CPU.
 */
final class UnsupportedOnDevice extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    UnsupportedOnDevice(String reason) {
        super(reason);
    }
}
