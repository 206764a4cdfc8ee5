package dev.descent.dsl.kotlin

import dev.descent.backend.Backend as DescentBackend

import dev.descent.optim.Lion
import dev.descent.optim.Optimizer
import dev.descent.optim.OptimizerState
import dev.descent.optim.Optimizers
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

/** The rest of the optimizer family from Kotlin: the same defaults as Java and fromSpec (one home each). */
class OptimizerFamilySpec : StringSpec({

    "Kotlin's defaults are the Java factories' and PyTorch-named fromSpec's" {
        nadam() shouldBe Optimizers.fromSpec("NAdam", mapOf<String, Any>())
        radam() shouldBe Optimizers.fromSpec("RAdam", mapOf<String, Any>())
        adamax() shouldBe Optimizers.fromSpec("Adamax", mapOf<String, Any>())
        adadelta() shouldBe Optimizers.fromSpec("Adadelta", mapOf<String, Any>())
        asgd() shouldBe Optimizers.fromSpec("ASGD", mapOf<String, Any>())
        lars() shouldBe Optimizers.fromSpec("LARS", mapOf<String, Any>())
        lamb() shouldBe Optimizers.fromSpec("LAMB", mapOf<String, Any>())
        lion() shouldBe Optimizers.fromSpec("Lion", mapOf<String, Any>())
        nadam(lr = 0.01, weightDecay = 0.1) shouldBe Optimizers.nadam(0.01).weightDecay(0.1)
        lion(lr = 3e-4, beta1 = 0.95) shouldBe Optimizers.lion(3e-4).betas(0.95, 0.99)
        adagrad(lr = 0.1, initialAccumulatorValue = 0.5) shouldBe Optimizers.adagrad(0.1).initialAccumulatorValue(0.5)
    }

    "a bad hyper-parameter names the field and the value" {
        shouldThrow<IllegalArgumentException> { radam(beta2 = 1.0) }.message shouldContain "beta2"
        shouldThrow<IllegalArgumentException> { lamb(lr = -1.0) }.message shouldContain "-1.0"
        shouldThrow<IllegalArgumentException> { Optimizers.fromSpec("Lion", mapOf("nesterov" to true)) }
            .message shouldContain "unknown hyper-parameter 'nesterov'"
        shouldThrow<IllegalArgumentException> { Optimizers.fromSpec("Shampoo", mapOf<String, Any>()) }
            .message shouldContain "unknown optimizer 'Shampoo'"
    }

    "a new rule trains in the DSL" {
        val spec = training {
            model = mlp(inputs = 2) { dense(1) }
            loss = mse()
            optimizer = lamb(lr = 0.01, weightDecay = 0.01)
            batchSize = 4; epochs = 1; seed = 1
            backend = Backend.SIMD
        }
        spec.optimizer() shouldBe lamb(lr = 0.01, weightDecay = 0.01)
    }

    "any Optimizer object goes in as it is: a Java constructor or a user's own rule, no Kotlin function needed" {
        val signSgd = object : Optimizer {
            override fun lr() = 0.01

            override fun newState(size: Int): OptimizerState = OptimizerState.typed(size, SignScratch(FloatArray(size)))

            override fun step(backend: DescentBackend, params: FloatArray, grads: FloatArray, state: OptimizerState, lr: Double) {
                val sign = state.view(SignScratch::class.java).sign
                backend.map(DescentBackend.Unary.SIGN, sign, 1f, grads, 0f, 0, state.size())
                backend.axpy((-lr).toFloat(), sign, 0, params, 0, state.size())
                state.advance()
            }

            override fun withLr(lr: Double) = this
        }
        for (rule in listOf(Lion(3e-4, 0.9, 0.99, 0.0), signSgd)) {
            val spec = training {
                model = mlp(inputs = 2) { dense(1) }
                loss = mse()
                optimizer = rule
                batchSize = 4; epochs = 1; seed = 1
                backend = Backend.SIMD
            }
            spec.optimizer() shouldBe rule
        }
    }
})

/** signSGD's scratch: the gradient's signs. */
private class SignScratch(val sign: FloatArray)
