/**
 * Learning-rate schedules: pure functions of the optimizer step ({@link
 * dev.descent.schedule.Schedule#at(long)}), built by {@link dev.descent.schedule.Schedules} and
 * combined with {@code then}, {@link dev.descent.schedule.Schedules#join join}, {@code scale},
 * {@code clamp} and {@code perEpoch}; plus {@link dev.descent.schedule.ReduceOnPlateau}, the one
 * stateful, metric-driven controller, which scales any schedule.
 *
 * <h2>Where the base learning rate comes from</h2>
 *
 * A schedule's values are <em>multipliers of a base learning rate</em>; the base lr is given
 * separately, and {@code schedule.scale(baseLr)} is the learning-rate schedule. The shapes are
 * normalised the way PyTorch normalises them against the optimizer's lr: decays and cosines start
 * at 1, warmups end at 1, and the cyclic policies peak at 1 ({@link dev.descent.schedule.OneCycle}'s
 * peak is PyTorch's {@code max_lr}). Floors such as the cosine's minimum are fractions of the base.
 * So, for a place that takes a learning rate as "a number or a schedule":
 *
 * <pre>{@code
 * Schedules.constant(0.1)                                          // the number 0.1, as a schedule
 * Schedules.warmup(500).then(Schedules.cosine(20_000)).scale(0.1)  // 0 → 0.1 in 500 steps, then cosine to 0
 * }</pre>
 *
 * and a trainer given a base lr {@code b} (e.g. {@code sgd(0.1)}) and a schedule {@code s} uses
 * {@code s.scale(b)}. A schedule scaled by 1 is read as absolute learning rates, which is how
 * {@link dev.descent.schedule.Schedules#fromSpec} expresses PyTorch's absolute {@code max_lr} and
 * {@code base_lr} parameters.
 *
 * <h2>Composition</h2>
 *
 * Finite schedules (warmup, linear, cosine, polynomial-to-zero, one-cycle) have a {@code length()};
 * {@code a.then(b)} runs {@code a} for its length and then {@code b} from its own step 0.
 * Composites are schedules too, so they compose further and stay pure.
 */
package dev.descent.schedule;
