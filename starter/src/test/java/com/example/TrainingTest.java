package com.example;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backends;
import dev.descent.dsl.Fit;
import org.junit.jupiter.api.Test;

/** Both training scripts learn: a real test accuracy on the 113 held-out tumours. */
class TrainingTest {

    @Test
    void javaScriptClassifiesTheTestTumours() {
        Fit fit = JavaTraining.run();
        double accuracy = fit.accuracy(BreastCancer.standardized().test());
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
    }

    @Test
    void kotlinScriptClassifiesTheTestTumours() {
        Fit fit = KotlinTraining.run();
        double accuracy = fit.accuracy(BreastCancer.standardized().test());
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
    }

    @Test
    void testsRunWithTheVectorApi() {
        // Surefire passes --add-modules=jdk.incubator.vector (pom.xml), so the scripts train on SIMD
        assertNull(Backends.vectorUnavailableReason());
    }
}
