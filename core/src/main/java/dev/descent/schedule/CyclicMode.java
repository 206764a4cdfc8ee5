package dev.descent.schedule;

/** The amplitude policy of {@link Schedules#cyclic} (PyTorch's {@code CyclicLR} modes). */
public enum CyclicMode {
    /** Every cycle reaches the high value. */
    TRIANGULAR,
    /** The amplitude halves after every cycle. */
    TRIANGULAR2,
    /** The amplitude is multiplied by {@code gamma^step}. */
    EXP_RANGE
}
