package dev.descent.dsl.kotlin

import dev.descent.backend.Activation
import dev.descent.model.Models
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain

class ConvDslSpec : StringSpec({

    "image { } builds the CNN the Java builder builds" {
        val kotlin = image(1, 28, 28) {
            conv2d(16, kernel = 5); activation(Relu); maxPool2d(2)
            conv2d(32, kernel = 5, stride = 1, padding = 0); activation(Relu); avgPool2d(2)
            flatten(); dense(10)
        }
        val java = Models.image(1, 28, 28)
            .conv2d(16, 5).activation(Activation.RELU).maxPool2d(2)
            .conv2d(32, 5, 1, 0).activation(Activation.RELU).avgPool2d(2)
            .flatten().dense(10).build()
        kotlin.toString() shouldBe java.toString()
        kotlin.parameters().map { it.name() } shouldBe java.parameters().map { it.name() }
        kotlin.parameterCount() shouldBe 16 * 25 + 16 + 32 * 16 * 25 + 32 + 512 * 10 + 10
        kotlin.initialParameters(42).toList() shouldBe java.initialParameters(42).toList()
    }

    "a dense layer on an image names the layer, the shape and the fix" {
        val e = shouldThrow<IllegalArgumentException> { image(3, 8, 8) { conv2d(4, kernel = 3); dense(10) } }
        e.message shouldContain "layers.1 (dense)"
        e.message shouldContain "[4, 6, 6]"
    }
})
