/**
 * The Kotlin type-safe builder for Descent training scripts. It builds the same immutable
 * [TrainingSpec] as the Java [Descent] builder (same fields, same validation, equal specs for equal
 * settings) and only describes: [TrainingSpec.fit] runs it.
 *
 * ```kotlin
 * val fit = training {
 *     model = mlp(inputs = 64) { dense(32, Relu); dense(10) }
 *     loss = softmaxCrossEntropy()
 *     optimizer = sgd(lr = 0.1, momentum = 0.9, nesterov = true)
 *     schedule = warmup(steps = 50) then cosine(steps = 400)
 *     batchSize = 32; epochs = 10; seed = 42
 *     backend = Backend.SIMD
 *     onEpochEnd { println("epoch ${it.epoch}: loss ${it.loss}") }
 * }.fit(train, test)
 * ```
 *
 * Learning rates follow the Java builder's convention: the optimizer's `lr` is the base rate and
 * `schedule` multiplies it; `lr(0.05)` replaces the base rate; `lr(schedule)` gives absolute rates
 * (base rate 1 × that schedule).
 */
package dev.descent.dsl.kotlin

import dev.descent.backend.Activation
import dev.descent.dsl.Descent
import dev.descent.dsl.TrainingSpec
import dev.descent.loss.Loss
import dev.descent.metric.Metric
import dev.descent.model.BatchNorm
import dev.descent.model.Init
import dev.descent.model.Layer
import dev.descent.model.Sequential
import dev.descent.optim.Adadelta
import dev.descent.optim.Adagrad
import dev.descent.optim.Adam
import dev.descent.optim.Adamax
import dev.descent.optim.Asgd
import dev.descent.optim.Averaging
import dev.descent.optim.Lamb
import dev.descent.optim.Lars
import dev.descent.optim.Lion
import dev.descent.optim.NAdam
import dev.descent.optim.Optimizer
import dev.descent.optim.ParamGroup
import dev.descent.optim.ParamGroups
import dev.descent.optim.RAdam
import dev.descent.optim.RmsProp
import dev.descent.optim.Sgd
import dev.descent.schedule.Anneal
import dev.descent.schedule.Cyclic
import dev.descent.schedule.CyclicMode
import dev.descent.schedule.OneCycle
import dev.descent.schedule.ReduceOnPlateau
import dev.descent.schedule.Schedule
import dev.descent.schedule.Schedules
import dev.descent.train.Callback
import dev.descent.train.Clipping
import dev.descent.train.EarlyStopping
import dev.descent.train.History
import dev.descent.train.TrainingConfig
import java.nio.file.Path

/** Marks Descent's builder scopes, so an inner block cannot silently set an outer block's fields. */
@DslMarker
annotation class DescentDsl

/** Where the arithmetic runs; `null` (the default) means `-Ddescent.backend`, else [AUTO]. */
enum class Backend(
    /** The backend's name, as `backend("...")` and `-Ddescent.backend` take it. */
    val id: String,
) {
    /** The best available (a real GPU, else SIMD, else scalar), named in one log line. */
    AUTO("auto"),
    /** Plain loops: the readable reference. */
    SCALAR("scalar"),
    /** The Java Vector API (needs `--add-modules=jdk.incubator.vector`). */
    SIMD("simd"),
    /** OpenCL through Aparapi (needs descent-gpu on the class path). */
    GPU("gpu"),
    /** OpenCL when a device is present, else SIMD with one warning line saying so. */
    GPU_OR_SIMD("gpu-or-simd"),
}

/** Describes a training run; see the file's documentation. Fails like [dev.descent.dsl.TrainingBuilder.build]. */
fun training(block: TrainingScope.() -> Unit): TrainingSpec = TrainingScope().apply(block).build()

/** The fields of a training spec, with the Java builder's defaults. */
@DescentDsl
class TrainingScope internal constructor() {
    private val defaults = TrainingConfig.defaults()

    /** Required; build one with [mlp]. */
    var model: Sequential? = null

    /** Required: [softmaxCrossEntropy], [mse], [bceWithLogits], [huber], [hinge]. */
    var loss: Loss? = null

    /** Required: [sgd], [adam], [adamW], [rmsprop], [adagrad] (or any [Optimizer]). */
    var optimizer: Optimizer? = null

    /** A multiplier of the optimizer's lr per optimizer step, e.g. `warmup(500) then cosine(20_000)`. */
    var schedule: Schedule? = null

    /** A multiplier of the optimizer's lr counted in epochs (instead of [schedule]). */
    var epochSchedule: Schedule? = null

    /** Reduce-on-plateau control over the schedule, driven by the loss; see [plateau] to drive it by a metric. */
    var plateau: ReduceOnPlateau.Config? = null

    private var plateauMonitor: String? = null
    private var plateauMode: ReduceOnPlateau.Mode? = null
    private var metricList: List<Metric> = emptyList()

    /**
     * Reduce-on-plateau driven by a recorded quantity (`"val_auc"`, `"val_loss"`), in its own
     * direction unless [mode] is given.
     */
    fun plateau(config: ReduceOnPlateau.Config, monitor: String, mode: ReduceOnPlateau.Mode? = null) {
        plateau = config
        plateauMonitor = monitor
        plateauMode = mode
    }

    /**
     * The metrics measured after every epoch on the training and validation data
     * (`metrics(Metrics.topK(5), Metrics.f1Macro())`), recorded as `top5_accuracy`,
     * `val_top5_accuracy`...; replaces the ones set before.
     */
    fun metrics(vararg metrics: Metric) {
        metricList = metrics.toList()
    }

    /** Rows per (micro-)batch, `> 0` (default 32); the number of rows gives full-batch gradient descent. */
    var batchSize: Int = defaults.batchSize()

    /** Passes over the training set, `> 0` (default 10). */
    var epochs: Int = defaults.epochs()

    /** Micro-batches per optimizer step. */
    var accumulation: Int = defaults.accumulation()

    /** Gradient clipping before every optimizer step: [Clipping.byNorm], [Clipping.byValue] or [Clipping.NONE] (default). */
    var clipping: Clipping = defaults.clipping()

    /** Drives initialisation and the batch order of every epoch (default 42): same seed, same run. */
    var seed: Long = defaults.seed()

    /** Stops when the monitored quantity (the loss, or a metric: [earlyStopping]) stops improving; `null` (default) trains every epoch. */
    var earlyStopping: EarlyStopping? = null

    /**
     * Iterate averaging (`ema(decay = 0.999)`, `swa(startStep = 1000)`, `polyak()`); `null` (default)
     * for none. Validation, checkpoints and the result use the average once there is one.
     */
    var averaging: Averaging? = null

    /**
     * A step loss above this many times the first step's stops training as diverged (non-finite
     * losses and gradients always do); `Double.POSITIVE_INFINITY` disables the check.
     */
    var divergenceFactor: Double = defaults.divergenceFactor()

    /** Null: `-Ddescent.backend`, else auto. */
    var backend: Backend? = null

    /** Null: on when a console is attached. Never draws without a console. */
    var progressBar: Boolean? = null

    /**
     * Null (default): train on this machine. A session: train data-parallel on Apache Spark (needs
     * descent-spark on the class path), equal to this machine's run up to float summation order.
     */
    var spark: org.apache.spark.sql.SparkSession? = null

    /** Spark partitions of the training rows (with [spark]); null: the session's default parallelism. */
    var partitions: Int? = null

    /** On [spark]: local steps per partition between averagings (local SGD); 0: synchronous steps. */
    var localSgd: Int = 0

    private var lrValue: Double? = null
    private var lrSchedule: Schedule? = null
    private var checkpointDir: Path? = null
    private var checkpointEvery: Int = defaults.checkpointEvery()
    private var checkpointEverySteps: Int = defaults.checkpointEverySteps()
    private var checkpointOverwrite: Boolean = defaults.checkpointOverwrite()
    private val callbacks = mutableListOf<Callback>()

    /** Replaces the optimizer's base learning rate. */
    fun lr(value: Double) {
        lrValue = value
        lrSchedule = null
    }

    /** Absolute learning rates: the optimizer's lr becomes 1 and this is the multiplier (no [schedule] then). */
    fun lr(absolute: Schedule) {
        lrSchedule = absolute
        lrValue = null
    }

    /**
     * Checkpoints into [dir] every [everyEpochs] epochs and at the end, and also every [everySteps]
     * optimizer steps when it is above 0 (in the middle of an epoch too; resuming continues at the
     * recorded batch). Another run's checkpoint found there is refused before training unless
     * [overwrite] (see `TrainingConfig.checkpointOverwrite`).
     */
    fun checkpoints(dir: Path, everyEpochs: Int = 1, overwrite: Boolean = false, everySteps: Int = 0) {
        checkpointDir = dir
        checkpointEvery = everyEpochs
        checkpointOverwrite = overwrite
        checkpointEverySteps = everySteps
    }

    /** Calls [action] with each epoch's record (losses, metrics, learning rate, time) at its end. */
    fun onEpochEnd(action: (History.Epoch) -> Unit) {
        callbacks += object : Callback {
            override fun onEpochEnd(epoch: History.Epoch) = action(epoch)
        }
    }

    /** Calls [action] with each optimizer step's record at its end. */
    fun onStepEnd(action: (History.Step) -> Unit) {
        callbacks += object : Callback {
            override fun onStepEnd(step: History.Step) = action(step)
        }
    }

    /** Calls [action] with the whole history when training ends. */
    fun onTrainEnd(action: (History) -> Unit) {
        callbacks += object : Callback {
            override fun onTrainEnd(history: History) = action(history)
        }
    }

    /** Adds any callback (e.g. one that throws [dev.descent.train.StopTraining]). */
    fun callback(callback: Callback) {
        callbacks += callback
    }

    internal fun build(): TrainingSpec {
        val b = Descent.train()
        model?.let { b.model(it) }
        b.loss(loss).optimizer(optimizer)
        lrValue?.let { b.lr(it) }
        lrSchedule?.let { b.lr(it) }
        require(schedule == null || epochSchedule == null) {
            "schedule ($schedule) and epochSchedule ($epochSchedule) are both set: give one"
        }
        schedule?.let { b.schedule(it) }
        epochSchedule?.let { b.epochSchedule(it) }
        plateau?.let { if (plateauMonitor == null) b.plateau(it) else b.plateau(it, plateauMonitor, plateauMode) }
        b.metrics(*metricList.toTypedArray())
        b.batchSize(batchSize)
            .epochs(epochs)
            .accumulation(accumulation)
            .clipping(clipping)
            .seed(seed)
            .earlyStopping(earlyStopping)
            .divergenceFactor(divergenceFactor)
            .checkpoints(checkpointDir, checkpointEvery)
            .checkpointEverySteps(checkpointEverySteps)
            .overwriteCheckpoint(checkpointOverwrite)
        backend?.let { b.backend(it.id) }
        progressBar?.let { b.progressBar(it) }
        spark?.let { b.spark(it) }
        partitions?.let { b.partitions(it) }
        b.localSgd(localSgd)
        b.averaging(averaging)
        callbacks.forEach { b.callbacks(it) }
        return b.build()
    }
}

/**
 * Early stopping after [patience] epochs without improvement of [monitor] (`null`: the loss, the
 * validation loss when there is a validation set), in its own direction unless [mode] is given:
 * `earlyStopping = earlyStopping(patience = 5, monitor = "val_auc")`.
 */
fun earlyStopping(
    patience: Int,
    monitor: String? = null,
    mode: ReduceOnPlateau.Mode? = null,
    minDelta: Double = 0.0,
    restoreBest: Boolean = true,
): EarlyStopping {
    val stopping = EarlyStopping(patience, minDelta, restoreBest)
    return if (monitor == null) stopping else stopping.monitoring(monitor, mode)
}

// ---- models -------------------------------------------------------------------------------

/** An MLP over [inputs] features, layer by layer: `mlp(inputs = 784) { dense(128, Relu); dense(10) }`. */
fun mlp(inputs: Int, init: Init = Init.AUTO, block: MlpScope.() -> Unit): Sequential {
    val scope = MlpScope(inputs)
    scope.init = init
    scope.block()
    return scope.build()
}

/**
 * A model of any layers, a user's own included:
 * `sequential(inputs = 64) { dense(32); layer(Swish(32)); dense(10) }`. The same scope as [mlp].
 */
fun sequential(inputs: Int, init: Init = Init.AUTO, block: MlpScope.() -> Unit): Sequential = mlp(inputs, init, block)

/**
 * A model over images of [channels]×[height]×[width] (rows of NCHW floats):
 * `image(1, 28, 28) { conv2d(16, kernel = 5); activation(Relu); maxPool2d(2); flatten(); dense(10) }`.
 * The same scope as [mlp].
 */
fun image(channels: Int, height: Int, width: Int, init: Init = Init.AUTO, block: MlpScope.() -> Unit): Sequential {
    val scope = MlpScope(Sequential.image(channels, height, width))
    scope.init = init
    scope.block()
    return scope.build()
}

/** The layers of a model, inside [mlp], [sequential] or [image]. */
@DescentDsl
class MlpScope internal constructor(private val builder: Sequential.Builder) {
    internal constructor(inputs: Int) : this(Sequential.input(inputs))

    /** The weight initialisation scheme. */
    var init: Init = Init.AUTO

    /** A dense layer of [width] outputs; no activation by default (an output layer). */
    fun dense(width: Int, activation: Activation = Identity) {
        builder.dense(width, activation)
    }

    /** An element-wise activation as a layer of its own (right after `dense(width)` it is fused into it). */
    fun activation(f: Activation) {
        builder.activation(f)
    }

    /**
     * A batch norm over the previous layer's output (BatchNorm1d over `[C]` or `[C, L]`, BatchNorm2d
     * over `[C, H, W]`), PyTorch's defaults: eps 1e-5, momentum 0.1.
     */
    fun batchNorm(eps: Double = BatchNorm.DEFAULT_EPS, momentum: Double = BatchNorm.DEFAULT_MOMENTUM) {
        builder.batchNorm(eps, momentum)
    }

    /** A 2-D convolution to [outChannels] channels (PyTorch's `nn.Conv2d`: square kernel, zero padding). */
    fun conv2d(outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        builder.conv2d(outChannels, kernel, stride, padding)
    }

    /** Max pooling over [kernel]×[kernel] windows, [stride] apart (the window size by default). */
    fun maxPool2d(kernel: Int, stride: Int = kernel) {
        builder.maxPool2d(kernel, stride)
    }

    /** Average pooling over [kernel]×[kernel] windows, [stride] apart (the window size by default). */
    fun avgPool2d(kernel: Int, stride: Int = kernel) {
        builder.avgPool2d(kernel, stride)
    }

    /** Flattens an image `[c, h, w]` into `[c·h·w]` features, as a dense layer needs. */
    fun flatten() {
        builder.flatten()
    }

    /** Any [Layer], a user's own included; it must take the previous layer's output shape. */
    fun layer(layer: Layer) {
        builder.add(layer)
    }

    internal fun build(): Sequential = builder.init(init).build()
}

/** No activation: the layer's output is `x·Wᵀ + b` (output layers, regression). */
val Identity: Activation = Activation.IDENTITY

/** `max(0, x)`. */
val Relu: Activation = Activation.RELU

/** LeakyReLU with PyTorch's default negative slope, 0.01; see [leakyRelu] for another. */
val LeakyRelu: Activation = Activation.LEAKY_RELU

/** `tanh(x)`. */
val Tanh: Activation = Activation.TANH

/** `1 / (1 + e^-x)`. */
val Sigmoid: Activation = Activation.SIGMOID

/** Exact GELU, `x·Φ(x)` (CPU backends). */
val Gelu: Activation = Activation.GELU

/** GELU's tanh approximation (CPU backends). */
val GeluTanh: Activation = Activation.GELU_TANH

/** LeakyReLU with the negative [slope] (finite). */
fun leakyRelu(slope: Float): Activation = Activation.leakyRelu(slope)

// ---- losses (core's Loss factories, so the two builders share one home) ----------------------

/** Mean squared error (PyTorch `MSELoss`), for regression. */
fun mse(): Loss = Loss.mse()

/**
 * Softmax, then the negative log-likelihood of the target class index (PyTorch `CrossEntropyLoss`), with
 * [labelSmoothing] ε in [0, 1) and optional [classWeights] (one per class; the mean divides by Σ w[yᵢ]).
 */
fun softmaxCrossEntropy(labelSmoothing: Double = 0.0, classWeights: DoubleArray? = null): Loss =
    Loss.softmaxCrossEntropy().labelSmoothing(labelSmoothing).let { if (classWeights == null) it else it.classWeights(*classWeights) }

/** Binary cross-entropy on logits, targets 0/1, stable form (PyTorch `BCEWithLogitsLoss`), optional per-column [posWeight]. */
fun bceWithLogits(posWeight: DoubleArray? = null): Loss =
    if (posWeight == null) Loss.bceWithLogits() else Loss.bceWithLogits().posWeight(*posWeight)

/** Huber loss: quadratic below [delta], linear above (PyTorch `HuberLoss`). */
fun huber(delta: Double = 1.0): Loss = Loss.huber(delta)

/** Hinge loss `max(0, 1 - t·p)` with targets ±1. */
fun hinge(): Loss = Loss.hinge()

/** Absolute error `|p - t|` (PyTorch `L1Loss`). */
fun l1(): Loss = Loss.l1()

/** Smooth L1 (PyTorch `SmoothL1Loss`): `0.5·d²/β` below [beta], `|d| - β/2` above. */
fun smoothL1(beta: Double = 1.0): Loss = Loss.smoothL1(beta)

/** Negative log-likelihood on log-probabilities (PyTorch `NLLLoss`), optional [classWeights]. */
fun nll(classWeights: DoubleArray? = null): Loss =
    if (classWeights == null) Loss.nll() else Loss.nll().classWeights(*classWeights)

/** KL divergence on log-probabilities (PyTorch `KLDivLoss`), batchmean unless [reduction] says otherwise. */
fun klDiv(logTarget: Boolean = false, reduction: Loss.Reduction = Loss.Reduction.BATCHMEAN): Loss =
    Loss.klDiv().logTarget(logTarget).reduction(reduction)

// ---- optimizers, with PyTorch's names and defaults --------------------------------------------

private fun checkLr(optimizer: String, lr: Double) =
    require(lr >= 0 && lr.isFinite()) { "$optimizer: lr must be finite and >= 0, got $lr" }

/** The exponential moving average of the parameters (`Averaging.ema`): the first update copies them. */
fun ema(decay: Double): Averaging = Averaging.ema(decay)

/** The plain mean of the parameters after every step from [startStep] on (`Averaging.swa`); pair with [swalr]. */
fun swa(startStep: Long): Averaging = Averaging.swa(startStep)

/** The mean of every iterate (Polyak–Ruppert averaging). */
fun polyak(): Averaging = Averaging.polyak()

/**
 * SWALR: from 1 to [swaFactor] (swa_lr / base lr) over [annealSteps] steps, then held
 * (`Schedules.swalr`); start it after a constant phase with
 * `Schedules.join(longArrayOf(start), constant(1.0), swalr(...))`.
 */
fun swalr(swaFactor: Double, annealSteps: Long, anneal: Anneal = Anneal.COS): Schedule =
    Schedules.swalr(swaFactor, annealSteps, anneal)

/**
 * This optimizer split into parameter groups (PyTorch's `param_groups`), the rest keeping its
 * settings; selectors resolve against the model's tensor names when the run starts:
 *
 * ```kotlin
 * optimizer = sgd(lr = 0.1, momentum = 0.9, weightDecay = 5e-4).paramGroups {
 *     group("biases", names("*.bias"), weightDecay = 0.0)
 *     freeze("stem", layers(0..0))
 * }
 * ```
 */
fun Optimizer.paramGroups(block: ParamGroupsScope.() -> Unit): ParamGroups =
    groups(*ParamGroupsScope().apply(block).groups.toTypedArray())

/** The groups of [paramGroups]: each [group] its parameters and settings (null = the optimizer's). */
@DescentDsl
class ParamGroupsScope internal constructor() {
    internal val groups = mutableListOf<ParamGroup>()

    /** A group; [lr] is an absolute base rate, [lrMultiplier] multiplies the step's (give one). */
    fun group(
        name: String,
        select: ParamGroup.Selector,
        lr: Double? = null,
        lrMultiplier: Double = 1.0,
        weightDecay: Double? = null,
        momentum: Double? = null,
        optimizer: Optimizer? = null,
    ) {
        var g = ParamGroup.of(name, select)
        if (optimizer != null) g = g.optimizer(optimizer)
        if (lr != null) g = g.lr(lr)
        if (lrMultiplier != 1.0) g = g.lrMultiplier(lrMultiplier)
        if (weightDecay != null) g = g.weightDecay(weightDecay)
        if (momentum != null) g = g.momentum(momentum)
        groups += g
    }

    /** A frozen group: its parameters keep their values. */
    fun freeze(name: String, select: ParamGroup.Selector) {
        groups += ParamGroup.of(name, select).frozen()
    }

    /** Tensors by name; `*` matches any run of characters (`"*.bias"`, `"layers.0.*"`). */
    fun names(vararg patterns: String): ParamGroup.Selector = ParamGroup.Selector.names(*patterns)

    /** Every tensor of the layers in [range] (`0..1`). */
    fun layers(range: IntRange): ParamGroup.Selector = ParamGroup.Selector.layers(range.first, range.last)

    /** The flat positions `[from, to)`. */
    fun range(from: Int, to: Int): ParamGroup.Selector = ParamGroup.Selector.range(from, to)
}

/**
 * SGD with PyTorch's exact update rule (`torch.optim.SGD`): optional momentum with [dampening],
 * [nesterov] momentum, L2 [weightDecay] added to the gradient, and [maximize]. [lr] is the base rate
 * that a [TrainingScope.schedule] multiplies; it must be finite and `>= 0`.
 */
fun sgd(
    lr: Double,
    momentum: Double = 0.0,
    dampening: Double = 0.0,
    nesterov: Boolean = false,
    weightDecay: Double = 0.0,
    maximize: Boolean = false,
): Sgd {
    checkLr("sgd", lr)
    return Sgd(lr, momentum, dampening, nesterov, weightDecay, maximize)
}

/**
 * Adam (`torch.optim.Adam`) with PyTorch's defaults; [weightDecay] is added to the gradient (L2).
 * [amsgrad] keeps the maximum of the second moments.
 */
fun adam(
    lr: Double = 1e-3,
    beta1: Double = 0.9,
    beta2: Double = 0.999,
    eps: Double = 1e-8,
    weightDecay: Double = 0.0,
    amsgrad: Boolean = false,
    maximize: Boolean = false,
): Adam {
    checkLr("adam", lr)
    return Adam(lr, beta1, beta2, eps, weightDecay, false, amsgrad, maximize)
}

/** AdamW (`torch.optim.AdamW`): Adam whose [weightDecay] (default 0.01) shrinks the parameters directly. */
fun adamW(
    lr: Double = 1e-3,
    beta1: Double = 0.9,
    beta2: Double = 0.999,
    eps: Double = 1e-8,
    weightDecay: Double = 0.01,
    amsgrad: Boolean = false,
    maximize: Boolean = false,
): Adam {
    checkLr("adamW", lr)
    return Adam(lr, beta1, beta2, eps, weightDecay, true, amsgrad, maximize)
}

/** RMSprop (`torch.optim.RMSprop`) with optional [momentum], [centered] variant, weight decay and maximize. */
fun rmsprop(
    lr: Double = 1e-2,
    alpha: Double = 0.99,
    eps: Double = 1e-8,
    weightDecay: Double = 0.0,
    momentum: Double = 0.0,
    centered: Boolean = false,
    maximize: Boolean = false,
): RmsProp {
    checkLr("rmsprop", lr)
    return RmsProp(lr, alpha, eps, weightDecay, momentum, centered, maximize)
}

/** Adagrad (`torch.optim.Adagrad`) with learning-rate decay, weight decay and maximize. */
fun adagrad(
    lr: Double = 1e-2,
    lrDecay: Double = 0.0,
    weightDecay: Double = 0.0,
    eps: Double = 1e-10,
    maximize: Boolean = false,
    initialAccumulatorValue: Double = Adagrad.DEFAULTS.initialAccumulatorValue(),
): Adagrad {
    checkLr("adagrad", lr)
    return Adagrad(lr, lrDecay, weightDecay, eps, maximize, initialAccumulatorValue)
}

// The rest of the family: every default is read from the optimizer's DEFAULTS (PyTorch's, or the
// paper's for LARS, LAMB and Lion), so Java and Kotlin cannot drift apart.

fun nadam(
    lr: Double = NAdam.DEFAULTS.lr(),
    beta1: Double = NAdam.DEFAULTS.beta1(),
    beta2: Double = NAdam.DEFAULTS.beta2(),
    eps: Double = NAdam.DEFAULTS.eps(),
    weightDecay: Double = NAdam.DEFAULTS.weightDecay(),
    momentumDecay: Double = NAdam.DEFAULTS.momentumDecay(),
): NAdam = NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay)

fun radam(
    lr: Double = RAdam.DEFAULTS.lr(),
    beta1: Double = RAdam.DEFAULTS.beta1(),
    beta2: Double = RAdam.DEFAULTS.beta2(),
    eps: Double = RAdam.DEFAULTS.eps(),
    weightDecay: Double = RAdam.DEFAULTS.weightDecay(),
): RAdam = RAdam(lr, beta1, beta2, eps, weightDecay)

fun adamax(
    lr: Double = Adamax.DEFAULTS.lr(),
    beta1: Double = Adamax.DEFAULTS.beta1(),
    beta2: Double = Adamax.DEFAULTS.beta2(),
    eps: Double = Adamax.DEFAULTS.eps(),
    weightDecay: Double = Adamax.DEFAULTS.weightDecay(),
    maximize: Boolean = false,
): Adamax = Adamax(lr, beta1, beta2, eps, weightDecay, maximize)

fun adadelta(
    lr: Double = Adadelta.DEFAULTS.lr(),
    rho: Double = Adadelta.DEFAULTS.rho(),
    eps: Double = Adadelta.DEFAULTS.eps(),
    weightDecay: Double = Adadelta.DEFAULTS.weightDecay(),
    maximize: Boolean = false,
): Adadelta = Adadelta(lr, rho, eps, weightDecay, maximize)

fun asgd(
    lr: Double = Asgd.DEFAULTS.lr(),
    lambd: Double = Asgd.DEFAULTS.lambd(),
    alpha: Double = Asgd.DEFAULTS.alpha(),
    t0: Double = Asgd.DEFAULTS.t0(),
    weightDecay: Double = Asgd.DEFAULTS.weightDecay(),
    maximize: Boolean = false,
): Asgd = Asgd(lr, lambd, alpha, t0, weightDecay, maximize)

fun lars(
    lr: Double = Lars.DEFAULTS.lr(),
    momentum: Double = Lars.DEFAULTS.momentum(),
    weightDecay: Double = Lars.DEFAULTS.weightDecay(),
    trustCoefficient: Double = Lars.DEFAULTS.trustCoefficient(),
    eps: Double = Lars.DEFAULTS.eps(),
): Lars = Lars(lr, momentum, weightDecay, trustCoefficient, eps)

fun lamb(
    lr: Double = Lamb.DEFAULTS.lr(),
    beta1: Double = Lamb.DEFAULTS.beta1(),
    beta2: Double = Lamb.DEFAULTS.beta2(),
    eps: Double = Lamb.DEFAULTS.eps(),
    weightDecay: Double = Lamb.DEFAULTS.weightDecay(),
): Lamb = Lamb(lr, beta1, beta2, eps, weightDecay)

fun lion(
    lr: Double = Lion.DEFAULTS.lr(),
    beta1: Double = Lion.DEFAULTS.beta1(),
    beta2: Double = Lion.DEFAULTS.beta2(),
    weightDecay: Double = Lion.DEFAULTS.weightDecay(),
): Lion = Lion(lr, beta1, beta2, weightDecay)

// ---- schedules (multipliers of the base lr; see dev.descent.schedule) --------------------------

/** Always [value]: a fixed multiplier. */
fun constant(value: Double): Schedule = Schedules.constant(value)

/** Linear from [from] to 1 over [steps] steps, held after. */
fun warmup(steps: Long, from: Double = 0.0): Schedule = Schedules.warmup(steps, from)

/** Half a cosine from 1 to [min] over [steps] steps. */
fun cosine(steps: Long, min: Double = 0.0): Schedule = Schedules.cosine(steps, min)

/** A line from [from] (step 0) to [to] (step [steps]), held after (PyTorch `LinearLR`). */
fun linear(from: Double, to: Double, steps: Long): Schedule = Schedules.linear(from, to, steps)

/** `gamma^t` at step `t` (PyTorch `ExponentialLR`). */
fun exponential(gamma: Double): Schedule = Schedules.exponential(gamma)

/** Times [gamma] every [every] steps. */
fun stepDecay(every: Long, gamma: Double): Schedule = Schedules.step(every, gamma)

/**
 * SGDR (PyTorch `CosineAnnealingWarmRestarts`): a cosine from 1 to [min] over [firstPeriod] steps,
 * then a restart at 1, each period [periodMult] times longer than the last.
 */
fun cosineWarmRestarts(firstPeriod: Long, periodMult: Long = 1, min: Double = 0.0): Schedule =
    Schedules.cosineWarmRestarts(firstPeriod, periodMult, min)

/** The 1cycle policy with PyTorch's defaults, peaking at 1 (the base lr). */
fun oneCycle(steps: Long): OneCycle = Schedules.oneCycle(steps)

/**
 * CyclicLR between [low] and [high] (multipliers of the base lr), rising over [stepSizeUp] steps and
 * falling over [stepSizeDown]; like PyTorch it cycles the momentum (β₁ for Adam) from
 * [maxMomentum] down to [baseMomentum] at the peak unless [cycleMomentum] is false.
 */
fun cyclic(
    low: Double,
    high: Double,
    stepSizeUp: Long,
    stepSizeDown: Long = stepSizeUp,
    mode: CyclicMode = CyclicMode.TRIANGULAR,
    gamma: Double = 1.0,
    cycleMomentum: Boolean = true,
    baseMomentum: Double = Cyclic.BASE_MOMENTUM,
    maxMomentum: Double = Cyclic.MAX_MOMENTUM,
): Cyclic =
    Schedules.cyclic(low, high, stepSizeUp, stepSizeDown, mode, gamma).let {
        if (cycleMomentum) it.withMomentum(baseMomentum, maxMomentum) else it.withoutMomentumCycling()
    }

/** This schedule for its length, then [next]: `warmup(500) then cosine(20_000)`. */
infix fun Schedule.then(next: Schedule): Schedule = this.then(next)

/** Every value times [factor]: `cosine(1000) scaled 0.1`. */
infix fun Schedule.scaled(factor: Double): Schedule = scale(factor)

/** Every value times [factor]: `cosine(1000) * 0.1`. */
operator fun Schedule.times(factor: Double): Schedule = scale(factor)
