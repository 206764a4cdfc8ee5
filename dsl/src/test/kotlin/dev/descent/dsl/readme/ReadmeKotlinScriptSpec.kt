package dev.descent.dsl.readme

import dev.descent.Shared
import dev.descent.data.Csv
import dev.descent.data.Split
import dev.descent.data.Standardizer
import dev.descent.dsl.kotlin.Backend
import dev.descent.dsl.kotlin.Relu
import dev.descent.dsl.kotlin.cosine
import dev.descent.dsl.kotlin.mlp
import dev.descent.dsl.kotlin.sgd
import dev.descent.dsl.kotlin.softmaxCrossEntropy
import dev.descent.dsl.kotlin.then
import dev.descent.dsl.kotlin.training
import dev.descent.dsl.kotlin.warmup
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan

/** The Kotlin training script of the README, run as a test (ReadmeSyncTest keeps the README in step). */
class ReadmeKotlinScriptSpec : StringSpec({

    "the README's Kotlin script trains an MLP on digits" {
        val data = Shared.data() // the shared/data folder
        // README:begin kotlin-script
        val digits = Split.benchmark(Csv.load(data.resolve("digits.csv")))
        val standardizer = Standardizer.fit(digits.train())
        val train = standardizer.apply(digits.train())
        val test = standardizer.apply(digits.test())

        val fit = training {
            model = mlp(inputs = 64) { dense(64, Relu); dense(10) }
            loss = softmaxCrossEntropy()
            optimizer = sgd(lr = 0.1, momentum = 0.9, nesterov = true)
            schedule = warmup(steps = 45) then cosine(steps = 405)
            batchSize = 32; epochs = 10; seed = 42
            backend = Backend.SIMD
            onEpochEnd { println("epoch ${it.epoch}: loss ${"%.4f".format(it.loss)}") }
        }.fit(train, test)

        println("test accuracy ${"%.3f".format(fit.accuracy(test))} in ${"%.2f".format(fit.seconds())} s")
        // README:end
        fit.accuracy(test) shouldBeGreaterThan 0.95
    }
})
