package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link Optimizers#fromSpec}: every optimizer parses its own spec ({@link OptimizerSpec}, found by
 * {@link java.util.ServiceLoader}); no switch lists them.
 */
class OptimizerSpecTest {

    private static final List<String> BUILT_IN = List.of(
            "SGD",
            "Adam",
            "AdamW",
            "RMSprop",
            "Adagrad",
            "NAdam",
            "RAdam",
            "Adamax",
            "Adadelta",
            "ASGD",
            "LARS",
            "LAMB",
            "Lion");

    @Test
    void theBuiltInNamesComeFirstInTheServicesFilesOrderThenAUsersSpec() {
        assertEquals(BUILT_IN, Optimizers.NAMES.subList(0, BUILT_IN.size()));
        assertEquals(List.of("ScaledSGD"), Optimizers.NAMES.subList(BUILT_IN.size(), Optimizers.NAMES.size()));
    }

    @Test
    void defaultsAreTheJavaFactoriesInAnyCase() {
        Map<String, Object> none = Map.of();
        assertEquals(Optimizers.adam(1e-3), Optimizers.fromSpec("adam", none));
        assertEquals(Optimizers.adamW(1e-3), Optimizers.fromSpec("ADAMW", none));
        assertEquals(Optimizers.rmsprop(1e-2), Optimizers.fromSpec("RMSprop", none));
        assertEquals(Optimizers.adagrad(1e-2), Optimizers.fromSpec("Adagrad", none));
        assertEquals(NAdam.DEFAULTS, Optimizers.fromSpec("NAdam", none));
        assertEquals(RAdam.DEFAULTS, Optimizers.fromSpec("RAdam", none));
        assertEquals(Adamax.DEFAULTS, Optimizers.fromSpec("Adamax", none));
        assertEquals(Adadelta.DEFAULTS, Optimizers.fromSpec("Adadelta", none));
        assertEquals(Asgd.DEFAULTS, Optimizers.fromSpec("asgd", none));
        assertEquals(Lars.DEFAULTS, Optimizers.fromSpec("LARS", none));
        assertEquals(Lamb.DEFAULTS, Optimizers.fromSpec("LAMB", none));
        assertEquals(Lion.DEFAULTS, Optimizers.fromSpec("lion", none));
        assertEquals(
                Optimizers.sgd(0.1).momentum(0.9).nesterov().weightDecay(1e-4),
                Optimizers.fromSpec("SGD", Map.of("lr", 0.1, "momentum", 0.9, "nesterov", true, "weight_decay", 1e-4)));
        assertEquals(
                Optimizers.adam(0.01).betas(0.8, 0.99).amsgrad(),
                Optimizers.fromSpec("Adam", Map.of("lr", 0.01, "betas", List.of(0.8, 0.99), "amsgrad", true)));
    }

    @Test
    void aUsersSpecJoinsThroughItsServicesFile() {
        assertEquals(Optimizers.sgd(0.05), Optimizers.fromSpec("scaledsgd", Map.of("lr", 0.1, "scale", 0.5)));
    }

    @Test
    void badSpecsNameWhatIsWrong() {
        assertMessage(
                "unknown optimizer 'Shampoo' (expected one of [SGD, Adam, AdamW,",
                () -> Optimizers.fromSpec("Shampoo", Map.of()));
        assertMessage(
                "Lion: unknown hyper-parameter 'nesterov' (expected one of [lr, betas, weight_decay])",
                () -> Optimizers.fromSpec("Lion", Map.of("nesterov", true)));
        assertMessage("SGD: 'lr' is required", () -> Optimizers.fromSpec("SGD", Map.of()));
        assertMessage("Adam: 'lr' must be a number, got fast", () -> Optimizers.fromSpec("Adam", Map.of("lr", "fast")));
        assertMessage(
                "RMSprop: 'centered' must be true or false, got 1",
                () -> Optimizers.fromSpec("RMSprop", Map.of("centered", 1)));
        assertMessage(
                "NAdam: 'betas' must be a pair of numbers, got [0.9]",
                () -> Optimizers.fromSpec("NAdam", Map.of("betas", List.of(0.9))));
        assertMessage(
                "momentum must be in [0.0, ", () -> Optimizers.fromSpec("SGD", Map.of("lr", 0.1, "momentum", -0.5)));
    }

    /** A built-in's {@code Spec} that is not in the services file would be unreachable by name. */
    @Test
    void everySpecClassOfCoreIsInTheServicesFile() throws IOException, URISyntaxException {
        Path classes = Path.of(Optimizers.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Set<String> compiled;
        try (Stream<Path> files = Files.list(classes.resolve("dev/descent/optim"))) {
            compiled = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith("$Spec.class"))
                    .map(f -> "dev.descent.optim." + f.substring(0, f.length() - ".class".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> listed;
        try (InputStream in =
                Files.newInputStream(classes.resolve("META-INF/services/" + OptimizerSpec.class.getName()))) {
            listed = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(12, compiled.size(), "Spec classes compiled: " + compiled);
        assertEquals(compiled, listed);
    }

    private static void assertMessage(String expected, Executable call) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
