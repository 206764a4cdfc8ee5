package dev.descent.train;

import static dev.descent.optim.ParamGroup.Selector.layer;
import static dev.descent.optim.ParamGroup.Selector.layers;
import static dev.descent.optim.ParamGroup.Selector.names;
import static dev.descent.optim.ParamGroup.Selector.range;
import static dev.descent.train.TrainerTest.DIGITS;
import static dev.descent.train.TrainerTest.LOSS;
import static dev.descent.train.TrainerTest.MODEL;
import static dev.descent.train.TrainerTest.SIMD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.checkpoint.ModelTensors;
import dev.descent.model.Dense;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ParamGroups;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameter groups on a real model: selectors resolve to the model's tensors, frozen groups keep
 * their values, groups that change nothing equal no groups bit for bit, a grouped run resumes bit
 * for bit, and bad groups fail at build naming the group.
 */
class ParamGroupsTest {

    private static ParamGroups.Resolved resolve(Optimizer o) {
        return (ParamGroups.Resolved) o.forTensors(ModelTensors.names(MODEL), CpuTrainingSession.tensorBounds(MODEL));
    }

    @Test
    void selectorsResolveToTheModelsTensors() {
        Dense l0 = (Dense) MODEL.layers().get(0), l1 = (Dense) MODEL.layers().get(1);
        var r = resolve(Optimizers.sgd(0.1)
                .groups(
                        ParamGroup.of("biases", names("*.bias")).weightDecay(0),
                        ParamGroup.of("stem", names("layers.0.weight")).frozen()));
        assertEquals(List.of("default", "biases", "stem"), r.groupNames());
        assertArrayEquals(new int[] {l0.biasOffset(), l0.end(), l1.biasOffset(), l1.end()}, r.ranges("biases"));
        assertArrayEquals(new int[] {0, l0.biasOffset()}, r.ranges("stem"));
        assertArrayEquals(new int[] {l1.weightOffset(), l1.biasOffset()}, r.ranges("default"));
        var byLayer = resolve(
                Optimizers.sgd(0.1).groups(ParamGroup.of("head", layer(1)).lrMultiplier(0.1)));
        assertArrayEquals(new int[] {l1.weightOffset(), l1.end()}, byLayer.ranges("head"));
    }

    @Test
    void frozenLayersKeepTheirValuesAndTheRestTrains() {
        var opt = Optimizers.sgd(0.1)
                .momentum(0.9)
                .groups(ParamGroup.of("first layer", layers(0, 0)).frozen());
        float[] init = MODEL.initialParameters(11);
        TrainingResult r = new Trainer(SIMD, MODEL, LOSS, opt, CheckpointResumeTest.config(2))
                .fit(DIGITS.train(), DIGITS.test(), init);
        int end0 = ((Dense) MODEL.layers().get(0)).end();
        assertArrayEquals(Arrays.copyOf(init, end0), Arrays.copyOf(r.parameters(), end0));
        assertFalse(Arrays.equals(
                Arrays.copyOfRange(init, end0, init.length), Arrays.copyOfRange(r.parameters(), end0, init.length)));
    }

    @Test
    void groupsThatChangeNothingEqualNoGroupsBitForBit() {
        for (Optimizer base : List.<Optimizer>of(
                Optimizers.sgd(0.1).momentum(0.9).nesterov().weightDecay(1e-3),
                Optimizers.adamW(0.01),
                Optimizers.lamb(0.01))) {
            // whole tensors for LAMB (its trust ratio is per tensor), a range for the element-wise rules
            var grouped = base.groups(
                    ParamGroup.of("biases", names("*.bias")),
                    ParamGroup.of(
                            "part",
                            base instanceof dev.descent.optim.Lamb ? names("layers.1.weight") : range(10, 300)));
            var config = CheckpointResumeTest.config(2);
            var plain = new Trainer(SIMD, MODEL, LOSS, base, config).fit(DIGITS.train(), DIGITS.test());
            var split = new Trainer(SIMD, MODEL, LOSS, grouped, config).fit(DIGITS.train(), DIGITS.test());
            assertArrayEquals(plain.parameters(), split.parameters(), base.toString());
        }
    }

    @Test
    void aGroupedRunResumesBitForBit(@TempDir Path dir) throws Exception {
        for (Optimizer opt : List.<Optimizer>of(
                Optimizers.sgd(0.1)
                        .momentum(0.9)
                        .weightDecay(1e-3)
                        .groups(
                                ParamGroup.of("biases", names("*.bias"))
                                        .weightDecay(0)
                                        .lrMultiplier(2),
                                ParamGroup.of("head", names("layers.1.weight"))
                                        .momentum(0.5)
                                        .lr(0.05)),
                Optimizers.adamW(0.01)
                        .groups(
                                ParamGroup.of("biases", names("*.bias")).weightDecay(0),
                                ParamGroup.of("stem", names("layers.0.weight")).frozen()))) {
            Path ckpt = dir.resolve(Integer.toHexString(opt.hashCode()));
            var config = CheckpointResumeTest.config(4);
            TrainingResult whole = new Trainer(SIMD, MODEL, LOSS, opt, config).fit(DIGITS.train(), DIGITS.test());
            new Trainer(SIMD, MODEL, LOSS, opt, CheckpointResumeTest.config(2).withCheckpoints(ckpt, 1))
                    .fit(DIGITS.train(), DIGITS.test());
            TrainingResult resumed =
                    new Trainer(SIMD, MODEL, LOSS, opt, config).resume(ckpt, DIGITS.train(), DIGITS.test());
            assertArrayEquals(whole.parameters(), resumed.parameters(), opt + ": parameters after resuming");
        }
    }

    @Test
    void resumingWithOtherGroupsIsRefused(@TempDir Path dir) {
        Optimizer sgd = Optimizers.sgd(0.1).momentum(0.9);
        Optimizer grouped = sgd.groups(ParamGroup.of("biases", names("*.bias")).weightDecay(0));
        Path ckpt = dir.resolve("run");
        new Trainer(SIMD, MODEL, LOSS, grouped, CheckpointResumeTest.config(1).withCheckpoints(ckpt, 1))
                .fit(DIGITS.train(), DIGITS.test());
        for (Optimizer other : List.of(sgd, sgd.groups(ParamGroup.of("head", layer(1))))) {
            var e = assertThrows(java.io.UncheckedIOException.class, () -> new Trainer(
                            SIMD, MODEL, LOSS, other, CheckpointResumeTest.config(2))
                    .resume(ckpt, DIGITS.train(), DIGITS.test()));
            String m = e.getMessage();
            assertTrue(m.contains("state.json: was written with parameter groups [{\"name\":\"default\""), m);
            assertTrue(m.contains(other instanceof ParamGroups ? "this trainer has [{" : "this trainer has none"), m);
        }
    }

    @Test
    void badGroupsFailAtBuildNamingTheGroup() {
        var sgd = Optimizers.sgd(0.1);
        assertMessage(
                "parameter groups 'a' and 'b' overlap at layers.0.bias",
                () -> resolve(sgd.groups(ParamGroup.of("a", names("*.bias")), ParamGroup.of("b", layer(0)))));
        assertMessage(
                "parameter group 'x': no parameter is named 'layers.0.bais'",
                () -> resolve(sgd.groups(ParamGroup.of("x", names("layers.0.bais")))));
        assertMessage(
                "parameter group 'deep': the model has no layer 2",
                () -> resolve(sgd.groups(ParamGroup.of("deep", layers(1, 5)))));
        assertMessage(
                "group 'b': weight_decay must be finite and >= 0, got -0.1",
                () -> ParamGroup.of("b", names("*.bias")).weightDecay(-0.1));
        assertMessage("group 'b': beta1 must be in", () -> Optimizers.adam(0.1)
                .groups(ParamGroup.of("b", names("*.bias")).momentum(1.5)));
        assertMessage(
                "two parameter groups are named 'b'",
                () -> sgd.groups(ParamGroup.of("b", names("*.bias")), ParamGroup.of("b", layer(0))));
        assertMessage(
                "parameter group 'far': range [0, 100000) runs past the model's",
                () -> resolve(sgd.groups(ParamGroup.of("far", range(0, 100_000)))));
    }

    private static void assertMessage(String expected, Runnable r) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
