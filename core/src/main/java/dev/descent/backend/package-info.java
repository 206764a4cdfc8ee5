/**
 * Backends: the arithmetic of a training step, and the choice of where it runs.
 *
 * <p>Start with {@link dev.descent.backend.Backend}, the interface that models, losses, optimizers
 * and the trainer call (matrix products in the three layouts of a dense layer, bias and activation,
 * loss values and gradients, reductions, fused optimizer updates, all on flat row-major {@code
 * float[]} buffers addressed by offset). Get one with {@link dev.descent.backend.Backends#byName
 * Backends.byName("scalar" | "simd" | "gpu" | "gpu-or-simd" | "auto")} or {@link
 * dev.descent.backend.Backends#fromSystemProperty()} ({@code -Ddescent.backend}).
 *
 * <ul>
 *   <li>{@link dev.descent.backend.ScalarBackend}: plain loops, the readable reference every other
 *       backend is tested against.
 *   <li>{@link dev.descent.backend.SimdBackend}: the Java Vector API (needs {@code --add-modules
 *       jdk.incubator.vector}); packed-panel matrix products split over the CPU cores.
 *   <li>{@link dev.descent.backend.BackendProvider}: how another module contributes a backend
 *       through {@link java.util.ServiceLoader} (the {@code descent-gpu} module's OpenCL backend).
 *   <li>{@link dev.descent.backend.Activation}: the element-wise activations and their derivatives.
 * </ul>
 */
package dev.descent.backend;
