package dev.descent

import dev.descent.backend.ScalarBackend
import dev.descent.backend.SimdBackend
import dev.descent.optim.Optimizer
import dev.descent.optim.Optimizers
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.doubles.shouldBeLessThanOrEqual
import io.kotest.property.Arb
import io.kotest.property.arbitrary.element
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.long
import io.kotest.property.checkAll
import kotlin.math.abs
import kotlin.math.max
import kotlin.random.Random

class OptimizerPropertySpec : StringSpec({

    val optimizers: List<Optimizer> = listOf(
        Optimizers.sgd(0.1),
        Optimizers.sgd(0.1).momentum(0.9).nesterov(),
        Optimizers.sgd(0.1).momentum(0.9).weightDecay(0.01),
        Optimizers.adam(0.01),
        Optimizers.adamW(0.01),
        Optimizers.rmsprop(0.01).momentum(0.9),
        Optimizers.adagrad(0.1),
        Optimizers.adagrad(0.1).initialAccumulatorValue(0.5),
        Optimizers.nadam(0.01).weightDecay(0.01),
        Optimizers.radam(0.01),
        Optimizers.adamax(0.01),
        Optimizers.adadelta(1.0),
        Optimizers.asgd(0.01).t0(1.0),
        Optimizers.lars(0.1).weightDecay(0.01),
        Optimizers.lamb(0.01).weightDecay(0.01),
        Optimizers.lion(1e-3).weightDecay(0.1),
    )

    "a learning rate of 0 leaves the parameters unchanged, for every optimizer and backend" {
        checkAll(200, Arb.element(optimizers), Arb.int(1..300), Arb.long()) { opt, n, seed ->
            val rnd = Random(seed)
            val p = FloatArray(n) { rnd.nextFloat() * 4 - 2 }
            val before = p.copyOf()
            val g = FloatArray(n) { rnd.nextFloat() * 2 - 1 }
            val backend = if (seed % 2 == 0L) ScalarBackend() else SimdBackend()
            val state = opt.newState(n)
            repeat(3) { opt.step(backend, p, g, state, 0.0) }
            p.toList() shouldBe before.toList()
        }
    }

    "SIMD matrix products equal the scalar reference on random sizes" {
        val scalar = ScalarBackend()
        val simd = SimdBackend()
        checkAll(60, Arb.int(1..70), Arb.int(1..70), Arb.int(1..90), Arb.long()) { m, n, k, seed ->
            val rnd = Random(seed)
            val a = FloatArray(m * k) { rnd.nextFloat() - 0.5f }
            val b = FloatArray(k * n) { rnd.nextFloat() - 0.5f }
            val want = FloatArray(m * n)
            val got = FloatArray(m * n)
            scalar.matmul(a, 0, b, 0, want, 0, m, n, k, false)
            simd.matmul(a, 0, b, 0, got, 0, m, n, k, false)
            for (i in want.indices) abs(got[i] - want[i]).toDouble() shouldBeLessThanOrEqual 1e-5 * max(1.0, k.toDouble())
            scalar.matmulNT(a, 0, b, 0, want, 0, m, n, k, false) // b read as n×k
            simd.matmulNT(a, 0, b, 0, got, 0, m, n, k, false)
            for (i in want.indices) abs(got[i] - want[i]).toDouble() shouldBeLessThanOrEqual 1e-5 * max(1.0, k.toDouble())
        }
    }
})
