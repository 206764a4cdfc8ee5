package dev.descent.examples

import dev.descent.data.Dataset
import dev.descent.dsl.Fit
import dev.descent.dsl.kotlin.Backend
import dev.descent.dsl.kotlin.mlp
import dev.descent.dsl.kotlin.mse
import dev.descent.dsl.kotlin.sgd
import dev.descent.dsl.kotlin.training

/**
 * PyTorch's first example (`nn.Linear(3, 2)`, `MSELoss`, `SGD(lr=0.01, momentum=0.9)`) in the Kotlin
 * DSL: the same script as [LinearRegressionExample.javaScript], which the `linear-regression` command
 * runs. `LinearRegressionScriptsTest` checks that both train to identical parameters; the README shows
 * them side by side (ReadmeSyncTest).
 */
object LinearRegressionScript {
    @JvmStatic
    fun kotlinScript(data: Dataset, s: LinearRegressionExample.Settings): Fit {
        // README:begin linear-regression-kotlin
        // nn.Linear(3, 2), nn.MSELoss(), SGD(lr=0.01, momentum=0.9), batches of 32, 20 epochs
        val fit = training {
            model = mlp(inputs = 3) { dense(2) }
            loss = mse()
            optimizer = sgd(lr = s.lr, momentum = s.momentum)
            batchSize = s.batchSize
            epochs = s.epochs
            seed = s.seed
            backend = Backend.entries.first { it.id == s.backend }
            progressBar = false
        }.fit(data, data) // validation = training set: the full training loss after every epoch
        // README:end
        return fit
    }
}
