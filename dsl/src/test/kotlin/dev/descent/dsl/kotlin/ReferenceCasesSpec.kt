package dev.descent.dsl.kotlin

import dev.descent.Shared
import dev.descent.backend.Backend as ComputeBackend
import dev.descent.dsl.testing.ReferenceCases
import dev.descent.dsl.testing.Trajectories
import dev.descent.objective.Objectives
import dev.descent.optim.Optimizer
import dev.descent.optim.OptimizerState
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

/** Plain gradient descent, written by a user in Kotlin: p ← p − lr·g. */
private data class PlainGradientDescent(private val rate: Double) : Optimizer {
    override fun lr() = rate
    override fun newState(size: Int) = OptimizerState(size)
    override fun withLr(lr: Double) = copy(rate = lr)
    override fun step(backend: ComputeBackend, params: FloatArray, grads: FloatArray, state: OptimizerState, lr: Double) {
        for (i in 0 until state.size()) params[i] -= lr.toFloat() * grads[i]
        state.advance()
    }
}

class ReferenceCasesSpec : StringSpec({

    val sgdCases = ReferenceCases.load(Shared.reference().resolve("sgd_trajectories.json"))

    "a user's own optimizer matches PyTorch's plain SGD case" {
        val plain = sgdCases.single { it.hyper() == mapOf("lr" to 0.1) }
        ReferenceCases.assertMatches(plain) { PlainGradientDescent(it.lr()) }.passed() shouldBe true
    }

    "and is told clearly where it differs from SGD with momentum" {
        val momentum = sgdCases.first { it.number("momentum", 0.0) == 0.9 }
        shouldThrow<AssertionError> {
            ReferenceCases.assertMatches(momentum) { PlainGradientDescent(it.lr()) }
        }.message shouldContain "first off after step 2"
    }

    "trajectories run any optimizer and schedule on an analytic objective" {
        val t = Trajectories.run(PlainGradientDescent(0.1), warmup(10) then cosine(190), Objectives.bowl(), floatArrayOf(1f, 1f), 200)
        t.steps() shouldBe 200
        t.lrs()[5] shouldBe (0.05 plusOrMinus 1e-12)
        t.lastValue() shouldBeLessThan 1e-6
    }
})
