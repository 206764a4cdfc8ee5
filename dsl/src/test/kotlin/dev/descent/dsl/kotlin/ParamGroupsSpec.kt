package dev.descent.dsl.kotlin

import dev.descent.dsl.Descent
import dev.descent.model.Models
import dev.descent.optim.Optimizers
import dev.descent.optim.ParamGroup
import dev.descent.optim.ParamGroup.Selector
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

/** Parameter groups from Kotlin equal the Java builder's; the gpu backend takes them. */
class ParamGroupsSpec : StringSpec({

    "Kotlin's paramGroups equal Java's groups" {
        val kotlin = sgd(lr = 0.1, momentum = 0.9, weightDecay = 5e-4).paramGroups {
            group("biases", names("*.bias"), weightDecay = 0.0, lrMultiplier = 2.0)
            freeze("stem", layers(0..0))
        }
        val java = Optimizers.sgd(0.1).momentum(0.9).weightDecay(5e-4).groups(
            ParamGroup.of("biases", Selector.names("*.bias")).weightDecay(0.0).lrMultiplier(2.0),
            ParamGroup.of("stem", Selector.layers(0, 0)).frozen(),
        )
        kotlin shouldBe java
        val spec = training {
            model = mlp(inputs = 2) { dense(3, Relu); dense(1) }
            loss = mse()
            optimizer = kotlin
            batchSize = 4; epochs = 1; seed = 1
        }
        spec shouldBe Descent.train(Models.mlp(2).dense(3, dev.descent.backend.Activation.RELU).dense(1))
            .loss(dev.descent.loss.Loss.mse()).optimizer(java).batchSize(4).epochs(1).seed(1).build()
    }

    "the gpu backend takes groups (its training session runs them on the device)" {
        val spec = training {
            model = mlp(inputs = 2) { dense(1) }
            loss = mse()
            optimizer = sgd(lr = 0.1).paramGroups { freeze("all", layers(0..0)) }
            backend = Backend.GPU
        }
        spec.backendName() shouldBe "gpu"
    }

    "a bad group fails at build naming the group" {
        shouldThrow<IllegalArgumentException> {
            sgd(lr = 0.1).paramGroups { group("biases", names("*.bias"), weightDecay = -1.0) }
        }.message shouldContain "group 'biases': weight_decay must be finite and >= 0, got -1.0"
    }
})
