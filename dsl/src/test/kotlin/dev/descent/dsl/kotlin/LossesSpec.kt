package dev.descent.dsl.kotlin

import dev.descent.loss.Loss
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe

/** The Kotlin loss functions build the same losses as core's Java factories. */
class LossesSpec : StringSpec({

    "Kotlin's losses with named options equal Java's" {
        softmaxCrossEntropy(labelSmoothing = 0.1, classWeights = doubleArrayOf(1.0, 2.0)) shouldBe
            Loss.softmaxCrossEntropy().labelSmoothing(0.1).classWeights(1.0, 2.0)
        softmaxCrossEntropy() shouldBe Loss.softmaxCrossEntropy()
        bceWithLogits(posWeight = doubleArrayOf(3.0)) shouldBe Loss.bceWithLogits().posWeight(3.0)
        l1() shouldBe Loss.l1()
        smoothL1(beta = 0.5) shouldBe Loss.smoothL1(0.5)
        nll(classWeights = doubleArrayOf(0.5, 1.0)) shouldBe Loss.nll().classWeights(0.5, 1.0)
        klDiv(logTarget = true) shouldBe Loss.klDiv().logTarget(true)
        klDiv(reduction = Loss.Reduction.SUM) shouldBe Loss.klDiv().sum()
    }

    "a loss set in the training block reaches the spec" {
        val spec = training {
            model = mlp(inputs = 2) { dense(3) }
            loss = softmaxCrossEntropy(labelSmoothing = 0.2)
            optimizer = sgd(lr = 0.1)
        }
        spec.loss() shouldBe Loss.softmaxCrossEntropy().labelSmoothing(0.2)
    }
})
