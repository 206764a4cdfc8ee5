package dev.descent.dsl.kotlin

import dev.descent.backend.Activation
import dev.descent.dsl.Descent
import dev.descent.dsl.Digits
import dev.descent.loss.Loss
import com.example.layers.Swish
import dev.descent.model.BatchNorm
import dev.descent.model.Dense
import dev.descent.model.Dropout
import dev.descent.model.Init
import dev.descent.model.LayerNorm
import dev.descent.model.Models
import dev.descent.optim.Optimizers
import dev.descent.schedule.Schedules
import dev.descent.train.Clipping
import dev.descent.train.History
import dev.descent.train.TrainingConfig
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain

class TrainingDslSpec : StringSpec({

    "training { } builds the spec the Java builder builds" {
        val kotlin = training {
            model = mlp(inputs = 784) { dense(128, Relu); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = 0.1, momentum = 0.9, nesterov = true)
            schedule = warmup(steps = 500) then cosine(steps = 20_000)
            batchSize = 64; epochs = 10; seed = 42
            clipping = Clipping.byNorm(1.0)
            backend = Backend.GPU
            onEpochEnd { println("epoch ${it.epoch}: loss ${it.loss}") }
        }
        val java = Descent.train(Models.mlp(784).dense(128, Activation.RELU).dense(10))
            .loss(Loss.softmaxCrossEntropy())
            .optimizer(Optimizers.sgd(0.1).momentum(0.9).nesterov())
            .schedule(Schedules.warmup(500).then(Schedules.cosine(20_000)))
            .batchSize(64).epochs(10).seed(42)
            .clipping(Clipping.byNorm(1.0))
            .backend("gpu")
            .build()
        kotlin shouldBe java
        kotlin.hashCode() shouldBe java.hashCode()
        kotlin.callbacks().size shouldBe 1
        kotlin.backendName() shouldBe "gpu"
    }

    "defaults are the Java builder's" {
        val spec = training {
            model = mlp(inputs = 3) { dense(1) }
            loss = mse()
            optimizer = sgd(lr = 0.01)
        }
        spec.config() shouldBe TrainingConfig.defaults()
        spec.backendName() shouldBe null
        spec.progressBar() shouldBe null
    }

    "mlp { } takes widths, activations and an init scheme" {
        val m = mlp(inputs = 4, init = Init.HE) { dense(8, Tanh); dense(6, leakyRelu(0.2f)); dense(3, Sigmoid); dense(2) }
        m.inputs() shouldBe 4
        val dense = m.layers().filterIsInstance<Dense>()
        dense.map { it.outputs() } shouldBe listOf(8, 6, 3, 2)
        dense.map { it.activation() } shouldBe
            listOf(Activation.TANH, Activation.leakyRelu(0.2f), Activation.SIGMOID, Activation.IDENTITY)
        m.init() shouldBe Init.HE
    }

    "optimizer factories take PyTorch's names and defaults" {
        sgd(lr = 0.1, momentum = 0.9, dampening = 0.1, weightDecay = 1e-4) shouldBe
            Optimizers.sgd(0.1).momentum(0.9).dampening(0.1).weightDecay(1e-4)
        adam() shouldBe Optimizers.adam(1e-3)
        adamW(lr = 0.01) shouldBe Optimizers.adamW(0.01)
        rmsprop(lr = 0.01, momentum = 0.9) shouldBe Optimizers.rmsprop(0.01).momentum(0.9)
        adagrad(lr = 0.1) shouldBe Optimizers.adagrad(0.1)
    }

    "a number or a schedule goes where a learning rate goes" {
        val shape = warmup(500) then cosine(20_000)
        val multiplier = training {
            model = mlp(inputs = 2) { dense(1) }; loss = mse()
            optimizer = sgd(lr = 0.1)
            schedule = shape
        }
        val absolute = training {
            model = mlp(inputs = 2) { dense(1) }; loss = mse()
            optimizer = sgd(lr = 0.1)
            lr(shape * 0.1)
        }
        val replaced = training {
            model = mlp(inputs = 2) { dense(1) }; loss = mse()
            optimizer = sgd(lr = 3.0)
            lr(0.1)
            schedule = shape
        }
        replaced shouldBe multiplier
        absolute.optimizer().lr() shouldBe 1.0
        absolute.config().schedule() shouldBe (shape scaled 0.1)
        for (step in listOf(0L, 250L, 500L, 9_000L, 20_499L)) absolute.lrAt(step) shouldBe (multiplier.lrAt(step) plusOrMinus 1e-15)
    }

    "invalid settings fail naming the field and the value" {
        shouldThrow<IllegalArgumentException> {
            training { model = mlp(inputs = 2) { dense(1) }; loss = mse(); optimizer = sgd(lr = 0.1); batchSize = 0 }
        }.message shouldContain "batchSize must be > 0, got 0"
        shouldThrow<IllegalArgumentException> { sgd(lr = -0.1) }.message shouldContain "sgd: lr must be finite and >= 0, got -0.1"
        shouldThrow<IllegalArgumentException> {
            training { model = mlp(inputs = 2) { dense(1) }; optimizer = sgd(lr = 0.1) }
        }.message shouldContain "loss is missing"
        shouldThrow<IllegalArgumentException> { training { loss = mse(); optimizer = sgd(lr = 0.1) } }.message shouldContain
            "model is missing"
        shouldThrow<IllegalArgumentException> {
            training { model = mlp(inputs = 2) { dense(1) }; loss = mse(); optimizer = sgd(lr = 0.1); lr(-1.0) }
        }.message shouldContain "lr must be finite and >= 0, got -1.0"
        shouldThrow<IllegalArgumentException> {
            training {
                model = mlp(inputs = 784) { dense(10) }; loss = softmaxCrossEntropy(); optimizer = sgd(lr = 0.1)
                progressBar = false
            }.fit(Digits.train())
        }.message shouldContain "training set 'digits.csv/train' has 64 features but the model's input width is 784"
    }

    "every Backend constant names a backend the builder accepts" {
        for (b in Backend.entries) {
            val spec = training { model = mlp(inputs = 2) { dense(1) }; loss = mse(); optimizer = sgd(lr = 0.1); backend = b }
            spec shouldBe Descent.train(Models.mlp(2).dense(1)).loss(Loss.mse()).optimizer(Optimizers.sgd(0.1))
                .backend(b.id).build()
        }
    }

    "sequential { } takes any layer, a user's own included, and trains it on scalar and simd" {
        val m = sequential(inputs = 64) {
            dense(32); layer(LayerNorm(32)); activation(Gelu); layer(Swish(32)); layer(Dropout(0.1)); dense(10)
        }
        m.parameters().map { it.name() } shouldBe listOf(
            "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.3.beta",
            "layers.5.weight", "layers.5.bias",
        )
        for (b in listOf(Backend.SCALAR, Backend.SIMD)) {
            val fit = training {
                model = m
                loss = softmaxCrossEntropy()
                optimizer = sgd(lr = 0.05, momentum = 0.9)
                epochs = 4; batchSize = 32; seed = 42
                backend = b
                progressBar = false
            }.fit(Digits.train(), Digits.test())
            fit.accuracy(Digits.test()) shouldBeGreaterThan 0.9
        }
    }

    "batchNorm() in the Kotlin DSL builds what the Java builder does, and trains with running statistics" {
        val m = sequential(inputs = 64) { dense(32); batchNorm(); activation(Relu); dense(10) }
        val j = Models.sequential(64).dense(32).batchNorm().activation(Activation.RELU).dense(10).build()
        m.layers() shouldBe j.layers()
        m.buffers().map { it.name() } shouldBe listOf(
            "layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked",
        )
        sequential(inputs = 4) { batchNorm(eps = 1e-3, momentum = 0.3) }.layers() shouldBe
            listOf(BatchNorm(4, 1, 1e-3, 0.3))
        val fit = training {
            model = m
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = 0.05, momentum = 0.9)
            epochs = 3; batchSize = 32; seed = 42
            backend = Backend.SIMD
            progressBar = false
        }.fit(Digits.train(), Digits.test())
        fit.result().buffers()[64] shouldBe (fit.history().steps().size.toFloat())
        fit.accuracy(Digits.test()) shouldBeGreaterThan 0.9
    }

    "callbacks see every epoch and step, and fit reports timings" {
        val seen = mutableListOf<History.Epoch>()
        var steps = 0
        val fit = training {
            model = mlp(inputs = 64) { dense(32, Tanh); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = adam(lr = 0.01)
            epochs = 2; batchSize = 64; seed = 3
            backend = Backend.SCALAR
            progressBar = false
            onEpochEnd { seen += it }
            onStepEnd { steps++ }
        }.fit(Digits.train(), Digits.test())
        seen.map { it.epoch() } shouldBe listOf(1, 2)
        steps shouldBe fit.history().steps().size
        fit.backend().name() shouldBe "scalar"
        fit.samplesPerSecond() shouldBeGreaterThan 0.0
        fit.accuracy(Digits.test()) shouldBeGreaterThan 0.85
    }

    "then, scaled and times compose schedules" {
        val s = warmup(10) then cosine(100, min = 0.1)
        s.at(0) shouldBe 0.0
        s.at(10) shouldBe 1.0
        s.at(110) shouldBe (0.1 plusOrMinus 1e-12)
        (s scaled 0.5).at(10) shouldBe 0.5
        (s * 0.5) shouldBe (s scaled 0.5)
        oneCycle(100).at(29) shouldBe (1.0 plusOrMinus 1e-12)
        (constant(2.0) * 0.5).at(7) shouldBe 1.0
        stepDecay(every = 10, gamma = 0.5).at(25) shouldBe 0.25
        linear(from = 0.5, to = 1.0, steps = 10).at(5) shouldBe 0.75
        exponential(0.5).at(2) shouldBe 0.25
        cosineWarmRestarts(10).at(10) shouldBe 1.0
        (warmup(10) then cosine(10)) shouldNotBe (warmup(10) then cosine(11))
    }

    "cyclic cycles the momentum like PyTorch unless told not to" {
        cyclic(0.1, 1.0, stepSizeUp = 4) shouldBe Schedules.cyclic(0.1, 1.0, 4)
        cyclic(0.1, 1.0, stepSizeUp = 4).momentumAt(4) shouldBe (0.8 plusOrMinus 1e-15)
        cyclic(0.1, 1.0, stepSizeUp = 4, baseMomentum = 0.5, maxMomentum = 0.6).momentumAt(0) shouldBe 0.6
        cyclic(0.1, 1.0, stepSizeUp = 4, cycleMomentum = false).cyclesMomentum() shouldBe false
    }
})
