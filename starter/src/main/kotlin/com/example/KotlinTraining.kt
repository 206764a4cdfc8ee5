package com.example

import dev.descent.dsl.Fit
import dev.descent.dsl.kotlin.Tanh
import dev.descent.dsl.kotlin.adam
import dev.descent.dsl.kotlin.cosine
import dev.descent.dsl.kotlin.mlp
import dev.descent.dsl.kotlin.softmaxCrossEntropy
import dev.descent.dsl.kotlin.training

/** A training script with the Kotlin `training { }` builder: an MLP 30-32-2 trained with Adam. */
object KotlinTraining {

    /** Trains, prints the test accuracy and returns the result. */
    @JvmStatic
    fun run(): Fit {
        val data = BreastCancer.standardized()
        val train = data.train()
        val test = data.test()

        val fit = training {
            model = mlp(inputs = 30) { dense(32, Tanh); dense(2) }
            loss = softmaxCrossEntropy()
            optimizer = adam(lr = 0.005)
            schedule = cosine(steps = 600)
            batchSize = 16; epochs = 20; seed = 7
            // backend = Backend.SIMD to insist on SIMD; left out: -Ddescent.backend, else the best available
            onEpochEnd { if (it.epoch % 5 == 0) println("epoch ${it.epoch}: loss ${"%.4f".format(it.loss)}") }
        }.fit(train, test)

        println(
            "Kotlin script: test accuracy ${"%.3f".format(fit.accuracy(test))} (${test.rows()} test rows), " +
                "backend ${fit.backend().name()}, ${"%.2f".format(fit.seconds())} s",
        )
        return fit
    }
}
