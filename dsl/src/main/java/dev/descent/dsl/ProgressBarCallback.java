package dev.descent.dsl;

import dev.descent.train.Callback;
import dev.descent.train.History;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A terminal progress bar over a run's optimizer steps (me.tongfei:progressbar): the bar and ETA
 * count steps; the message shows the epoch, the latest loss (and validation accuracy) and the samples
 * per second of the last epoch (its training and validation wall-clock). It draws only where a console is attached: with {@code System.console() == null}
 * (output piped or redirected, CI, build tools) it does nothing at all, so logs stay clean.
 * {@link TrainingBuilder#progressBar} / {@code progressBar = ...} switch it; the default is on with
 * a console.
 */
public final class ProgressBarCallback implements Callback, AutoCloseable {
    private final PrintStream out;
    private final int width;
    private ProgressBar bar;
    private int epochs;
    private int epoch;
    private double loss = Double.NaN;
    private double samplesPerSecond = Double.NaN;
    private double accuracy = Double.NaN;
    private long samplesPerEpoch;
    private long epochStartNanos;

    /** Draws on {@code System.err} when a console is attached, else stays quiet. */
    public ProgressBarCallback() {
        this(System.console() != null ? System.err : null, 0);
    }

    /**
     * Draws on {@code out} (null: never draws) in lines of at most {@code width} characters (0: the
     * terminal's width). For tests and custom consoles.
     */
    public ProgressBarCallback(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    /** Whether a bar is drawn for the setting {@code on} (null: default) in this JVM. */
    static boolean shouldDraw(Boolean on) {
        return !Boolean.FALSE.equals(on) && System.console() != null;
    }

    /** Whether this callback draws at all. */
    public boolean draws() {
        return out != null;
    }

    @Override
    public void onTrainStart(Plan plan) {
        if (out == null) return;
        epochs = plan.epochs();
        epoch = plan.firstEpoch();
        samplesPerEpoch = plan.samplesPerEpoch();
        epochStartNanos = System.nanoTime();
        ConsoleProgressBarConsumer consumer =
                width > 0 ? new ConsoleProgressBarConsumer(out, width) : new ConsoleProgressBarConsumer(out);
        bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(plan.totalSteps())
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" steps", 1)
                .setUpdateIntervalMillis(250)
                .setConsumer(consumer)
                .build();
        message();
    }

    @Override
    public void onStepEnd(History.Step step) {
        if (bar == null) return;
        epoch = step.epoch();
        loss = step.loss();
        bar.step();
        message();
    }

    @Override
    public void onEpochEnd(History.Epoch e) {
        if (bar == null) return;
        loss = e.loss();
        accuracy = e.valAccuracy();
        long now = System.nanoTime();
        if (now > epochStartNanos) samplesPerSecond = samplesPerEpoch * 1e9 / (now - epochStartNanos);
        epochStartNanos = now;
        message();
    }

    @Override
    public void onTrainEnd(History history) {
        close();
    }

    /** Closes the bar (also when training ended by an exception); harmless when nothing is drawn. */
    @Override
    public void close() {
        if (bar == null) return;
        bar.close();
        bar = null;
    }

    private void message() {
        StringBuilder m = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs));
        if (!Double.isNaN(loss)) m.append(String.format(Locale.ROOT, " loss %.4g", loss));
        if (!Double.isNaN(accuracy)) m.append(String.format(Locale.ROOT, " val acc %.3f", accuracy));
        if (samplesPerSecond > 0) m.append(String.format(Locale.ROOT, " %.0f samples/s", samplesPerSecond));
        bar.setExtraMessage(m.toString());
    }
}
