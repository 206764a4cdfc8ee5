/**
 * The OpenCL backend, through Aparapi: adding {@code descent-gpu} to the class path is all it takes
 * to make {@code "gpu"} a backend name ({@code backend("gpu")}, {@code -Ddescent.backend=gpu}).
 *
 * <p>Start with {@link dev.descent.gpu.OpenClBackendProvider}, which says what {@code "gpu"} means
 * (the best OpenCL device: a GPU, else an accelerator, else a CPU driver such as PoCL) and when
 * {@code auto} picks it (only on a real GPU), and {@link dev.descent.gpu.OpenClDevices}, which lists
 * the devices and says which one is used and why ({@code descent devices} prints it). {@link
 * dev.descent.gpu.GpuOrSimdProvider} is {@code "gpu-or-simd"}, the backend that falls back to SIMD
 * with one logged line when there is no device; plain {@code "gpu"} never falls back silently.
 *
 * <p>{@link dev.descent.gpu.OpenClBackend} runs each backend operation as one verified kernel launch
 * on the device; training goes through {@link dev.descent.gpu.OpenClTrainingSession}, which keeps
 * parameters, gradients, optimizer state and activations on the device for the whole run and uploads
 * only the batches.
 *
 * <p>Requirements: an OpenCL driver ({@code apt-get install pocl-opencl-icd ocl-icd-libopencl1
 * clinfo} on a machine without a GPU), and {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so} in every
 * JVM that may load PoCL (its LLVM replaces the JVM's signal handlers otherwise).
 */
package dev.descent.gpu;
