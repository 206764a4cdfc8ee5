package dev.descent.dsl.kotlin

import dev.descent.dsl.Descent
import dev.descent.model.Models
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import java.nio.file.Path

/** Step checkpoints from Kotlin equal the Java builder's, and reach the config. */
class StepCheckpointSpec : StringSpec({

    "Kotlin's step checkpoints equal Java's" {
        val dir = Path.of("target", "step-ckpt")
        val kotlin = training {
            model = mlp(inputs = 2) { dense(1) }
            loss = mse()
            optimizer = sgd(lr = 0.1)
            checkpoints(dir, everySteps = 500)
        }
        val java = Descent.train(Models.mlp(2).dense(1)).loss(dev.descent.loss.Loss.mse())
            .optimizer(dev.descent.optim.Optimizers.sgd(0.1)).checkpoints(dir, 1).checkpointEverySteps(500).build()
        kotlin shouldBe java
        kotlin.config().checkpointEverySteps() shouldBe 500
    }

    "step checkpoints without a folder are refused by name" {
        val e = shouldThrow<IllegalArgumentException> {
            Descent.train(Models.mlp(2).dense(1)).loss(dev.descent.loss.Loss.mse())
                .optimizer(dev.descent.optim.Optimizers.sgd(0.1)).checkpointEverySteps(500).build()
        }
        e.message shouldStartWith "checkpointEverySteps 500 needs a checkpoint folder"
    }
})
