package dev.descent.spark;

import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.train.Clipping;
import dev.descent.train.RoundSource;
import dev.descent.train.TrainingSession;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's side of local SGD (periodic averaging): per round it broadcasts the session's
 * parameters and optimizer state, every partition runs one local step per batch of the round on its
 * own rows of that batch ({@link Shard#runRound}), and the results are averaged weighted by the rows
 * each partition trained on; the average (parameters and optimizer state) goes back into the session.
 * One Spark job per round. With {@code keepState} every partition continues from its own optimizer
 * state in the next round (the driver holds them, so a retried task starts from the same state);
 * the session then holds their average, which a checkpoint writes.
 */
final class LocalSgdRounds implements RoundSource {
    private final JavaSparkContext sc;
    private final JavaRDD<Shard> shards;
    private final StepTask run;
    private final String name;
    private final int parameters;
    private final int localSteps;
    private final boolean keepState;
    private final Optimizer optimizer;
    private final Clipping clipping;
    /** Each partition's own optimizer state after the last round it trained in (keepState only). */
    private final Map<Integer, StateCopy> kept = new HashMap<>();

    private long epoch;

    LocalSgdRounds(
            JavaSparkContext sc,
            JavaRDD<Shard> shards,
            StepTask run,
            String name,
            int parameters,
            int localSteps,
            boolean keepState,
            Optimizer optimizer,
            Clipping clipping) {
        this.sc = sc;
        this.shards = shards;
        this.run = run;
        this.name = name;
        this.parameters = parameters;
        this.localSteps = localSteps;
        this.keepState = keepState;
        this.optimizer = optimizer;
        this.clipping = clipping;
    }

    @Override
    public int rows() {
        return run.totalRows();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void startEpoch(long epoch) {
        this.epoch = epoch;
    }

    @Override
    public int stepsPerRound() {
        return localSteps;
    }

    /** What every partition reads at the start of a round. */
    private record Start(float[] params, StateCopy common, Map<Integer, StateCopy> own) implements Serializable {}

    /**
     * @throws IllegalStateException if the partitions together did not hold exactly the round's rows
     */
    @Override
    public void runRound(
            TrainingSession session,
            long firstStep,
            int firstBatch,
            int steps,
            double[] lrs,
            double[] losses,
            double[] norms) {
        float[] params = new float[parameters];
        session.readParameters(params);
        OptimizerState state = session.readOptimizerState();
        int buffers = state.buffers().size();
        Broadcast<Start> shared = sc.broadcast(new Start(params, StateCopy.of(state), new HashMap<>(kept)));
        RoundTask round = new RoundTask(
                run.batch(epoch, 0, 0, 1f), optimizer, clipping, firstStep, firstBatch, Arrays.copyOf(lrs, steps));
        boolean keep = keepState;
        int n = parameters; // locals only: the task must not capture this driver-side object
        RoundSum sum;
        try {
            sum = shards.mapPartitionsWithIndex(
                            (k, it) -> {
                                Start in = shared.value();
                                StateCopy from = in.own().getOrDefault(k, in.common());
                                RoundSum s = new RoundSum(n, buffers, steps);
                                while (it.hasNext()) it.next().runRound(round, in.params(), from, keep, k, s);
                                return java.util.List.of(s).iterator();
                            },
                            false)
                    .treeReduce(RoundSum::add);
        } finally {
            shared.destroy();
        }
        long expected = 0;
        for (int i = 0; i < steps; i++) expected += round.rows(i);
        if (sum.rows != expected)
            throw new IllegalStateException("the partitions of '" + name + "' held " + sum.rows + " rows of batches "
                    + firstBatch + ".." + (firstBatch + steps - 1) + " of epoch " + epoch + ", expected " + expected);
        float rows = sum.rows;
        for (int i = 0; i < parameters; i++) params[i] = sum.params[i] / rows;
        session.writeParameters(params);
        int b = 0;
        for (float[] buffer : state.buffers().values()) {
            float[] s = sum.state[b++];
            for (int i = 0; i < buffer.length; i++) buffer[i] = s[i] / rows;
        }
        state.setStep(firstStep + steps);
        session.writeOptimizerState(state);
        kept.putAll(sum.kept);
        for (int i = 0; i < steps; i++) {
            losses[i] = sum.loss[i];
            norms[i] = sum.normRows[i] / sum.stepRows[i];
        }
    }
}
