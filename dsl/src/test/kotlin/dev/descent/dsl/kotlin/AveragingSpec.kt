package dev.descent.dsl.kotlin

import dev.descent.dsl.Descent
import dev.descent.model.Models
import dev.descent.optim.Averaging
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe

/** Averaging from Kotlin equals the Java builder's, and reaches the config. */
class AveragingSpec : StringSpec({

    "Kotlin's averaging equals Java's" {
        val kotlin = training {
            model = mlp(inputs = 2) { dense(1) }
            loss = mse()
            optimizer = sgd(lr = 0.1, momentum = 0.9)
            averaging = swa(startStep = 100)
        }
        val java = Descent.train(Models.mlp(2).dense(1)).loss(dev.descent.loss.Loss.mse())
            .optimizer(dev.descent.optim.Optimizers.sgd(0.1).momentum(0.9)).averaging(Averaging.swa(100)).build()
        kotlin shouldBe java
        kotlin.config().averaging() shouldBe Averaging.swa(100)
        ema(0.999) shouldBe Averaging.ema(0.999)
        polyak() shouldBe Averaging.swa(0)
    }
})
