package dev.descent.dsl.kotlin

import dev.descent.backend.Activation
import dev.descent.data.Dataset
import dev.descent.dsl.Descent
import dev.descent.dsl.Digits
import dev.descent.dsl.TrainingSpec
import dev.descent.loss.Loss
import dev.descent.model.Models
import dev.descent.optim.Adagrad
import dev.descent.optim.Optimizer
import dev.descent.optim.Optimizers
import dev.descent.schedule.OneCycle
import dev.descent.schedule.Schedule
import dev.descent.schedule.Schedules
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.doubles.shouldBeGreaterThanOrEqual
import io.kotest.matchers.doubles.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.property.Arb
import io.kotest.property.arbitrary.boolean
import io.kotest.property.arbitrary.element
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.long
import io.kotest.property.arbitrary.map
import io.kotest.property.checkAll
import kotlin.random.Random

/** Property tests of the DSL: lr 0, schedule bounds, and the Java builder and Kotlin DSL agreeing. */
class DslPropertySpec : StringSpec({

    /** Finite doubles in [0, 1], ends included (Arb.double's edge cases include NaN). */
    val fraction = Arb.int(0..1_000).map { it / 1_000.0 }

    val optimizers: List<Optimizer> = listOf(
        sgd(lr = 0.1),
        sgd(lr = 0.1, momentum = 0.9, nesterov = true, weightDecay = 0.01),
        sgd(lr = 0.1, momentum = 0.8, dampening = 0.3),
        adam(lr = 0.01),
        adamW(lr = 0.01),
        rmsprop(lr = 0.01, momentum = 0.9, centered = true),
        adagrad(lr = 0.1, weightDecay = 0.01),
    )

    fun randomRegression(seed: Long): Dataset {
        val rnd = Random(seed)
        val rows = 20
        val x = FloatArray(rows * 4) { rnd.nextFloat() * 2 - 1 }
        val y = FloatArray(rows * 2) { rnd.nextFloat() * 2 - 1 }
        return Dataset.regression("random", x, 4, y, 2)
    }

    "a learning rate of 0 leaves the parameters unchanged, whatever the optimizer, schedule and seed" {
        val schedules = listOf(constant(1.0), warmup(5) then cosine(20), oneCycle(10), exponential(0.9))
        checkAll(30, Arb.element(optimizers), Arb.element(schedules), Arb.long(), Arb.int(1..3)) { opt, shape, s, k ->
            val spec = training {
                model = mlp(inputs = 4) { dense(5, Tanh); dense(2) }
                loss = mse()
                optimizer = opt
                lr(0.0)
                // Adagrad has no momentum for one-cycle to cycle (an error, as in PyTorch)
                schedule = if (shape is OneCycle && opt is Adagrad) shape.withoutMomentumCycling() else shape
                batchSize = 6; epochs = 2; seed = s; accumulation = k
                backend = Backend.SCALAR
                progressBar = false
            }
            val fit = spec.fit(randomRegression(s))
            fit.parameters().toList() shouldBe spec.model().initialParameters(s).toList()
            fit.history().steps().forEach { it.lr() shouldBe 0.0 }
        }
    }

    fun inBounds(s: Schedule, lo: Double, hi: Double, step: Long) {
        val v = s.at(step)
        v shouldBeGreaterThanOrEqual lo - 1e-12
        v shouldBeLessThanOrEqual hi + 1e-12
    }

    "schedules stay within their bounds" {
        checkAll(300, Arb.long(1L..5_000L), fraction, Arb.long(0L..50_000L)) { n, floor, step ->
            inBounds(cosine(n, min = floor), floor, 1.0, step)
            inBounds(warmup(n, from = floor), floor, 1.0, step)
            inBounds(oneCycle(n), 1.0 / 25 / 1e4, 1.0, step)
            inBounds(warmup(n) then cosine(n, min = floor), 0.0, 1.0, step)
            inBounds(cosineWarmRestarts(n, 2, floor), floor, 1.0, step)
            inBounds((warmup(n) then cosine(n)) * 0.1, 0.0, 0.1, step)
        }
    }

    fun javaSpec(width: Int, tanh: Boolean, lr: Double, momentum: Double, warm: Long, batch: Int, epochs: Int, seed: Long): TrainingSpec =
        Descent.train(Models.mlp(64).dense(width, if (tanh) Activation.TANH else Activation.RELU).dense(10))
            .loss(Loss.softmaxCrossEntropy())
            .optimizer(Optimizers.sgd(lr).momentum(momentum))
            .schedule(Schedules.warmup(warm).then(Schedules.cosine(400)))
            .batchSize(batch).epochs(epochs).seed(seed)
            .backend("scalar")
            .progressBar(false)
            .build()

    fun kotlinSpec(width: Int, tanh: Boolean, lr: Double, momentum: Double, warm: Long, batch: Int, epochs: Int, seed: Long): TrainingSpec =
        training {
            model = mlp(inputs = 64) { dense(width, if (tanh) Tanh else Relu); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = lr, momentum = momentum)
            schedule = warmup(warm) then cosine(400)
            batchSize = batch; this.epochs = epochs; this.seed = seed
            backend = Backend.SCALAR
            progressBar = false
        }

    "the Java builder and the Kotlin DSL give equal specs" {
        checkAll(
            100,
            Arb.int(1..64), Arb.boolean(), fraction, fraction.map { it * 0.99 },
            Arb.long(1L..1_000L), Arb.int(1..256), Arb.long(),
        ) { width, tanh, lr, momentum, warm, batch, seed ->
            val j = javaSpec(width, tanh, lr, momentum, warm, batch, 3, seed)
            val k = kotlinSpec(width, tanh, lr, momentum, warm, batch, 3, seed)
            k shouldBe j
            k.hashCode() shouldBe j.hashCode()
        }
    }

    "and, for the same seed, train on digits to bit-identical parameters" {
        checkAll(3, Arb.int(8..32), Arb.boolean(), Arb.long()) { width, tanh, seed ->
            val j = javaSpec(width, tanh, 0.05, 0.9, 20, 64, 2, seed).fit(Digits.train())
            val k = kotlinSpec(width, tanh, 0.05, 0.9, 20, 64, 2, seed).fit(Digits.train())
            k.parameters().contentEquals(j.parameters()) shouldBe true
            k.history().steps().map { it.loss() } shouldBe j.history().steps().map { it.loss() }
        }
    }
})
