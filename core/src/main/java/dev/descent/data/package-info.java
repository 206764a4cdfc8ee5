/**
 * Data: loading, splitting, standardising and minibatching.
 *
 * <ul>
 *   <li>{@link dev.descent.data.Dataset}: the in-memory rows×features / rows×targets data set.
 *   <li>Loaders, all taking a {@link java.nio.file.Path}: {@link dev.descent.data.Csv}, {@link
 *       dev.descent.data.Libsvm} (labels read as {@link dev.descent.data.Labels} say) and {@link
 *       dev.descent.data.Idx} (MNIST). A malformed file throws {@link
 *       dev.descent.data.DataFormatException} naming file, line or byte offset, expected and found;
 *       an unreadable one throws {@link java.io.UncheckedIOException} naming the path.
 *   <li>{@link dev.descent.data.Split}: the benchmark split (row i is a test row iff i % 5 == 4) or
 *       a seeded random one. {@link dev.descent.data.Standardizer}: mean/std fitted on training rows.
 *   <li>{@link dev.descent.data.Batches}: epochs of minibatches in an order fixed by (seed, epoch),
 *       gathered into a reusable {@link dev.descent.data.Batch} without allocating.
 *   <li>Sparse rows: {@link dev.descent.data.SparseDataset} in memory, or {@link
 *       dev.descent.data.SparseStream} read from files larger than the heap, batched by {@link
 *       dev.descent.data.SparseBatches} and {@link dev.descent.data.StreamBatches} (both a {@link
 *       dev.descent.data.SparseBatchSource}).
 * </ul>
 */
package dev.descent.data;
