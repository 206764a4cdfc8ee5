package dev.descent.schedule;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Typed reads from a plain parameter map (numbers, strings, booleans and lists, as a JSON reader
 * produces them), with errors that name the key and the value. Keys nobody asks for are ignored.
 */
final class Spec {

    private final Map<String, ?> params;

    Spec(Map<String, ?> params) {
        this.params = params == null ? Map.of() : params;
    }

    /** Runs {@code body}, prefixing the message of any {@link IllegalArgumentException} with the owner. */
    static <T> T reading(String owner, Supplier<T> body) {
        try {
            return body.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(owner + ": " + e.getMessage(), e);
        }
    }

    /** A number that must be present. */
    double number(String key) {
        return toDouble(key, require(key));
    }

    double number(String key, double fallback) {
        Object v = params.get(key);
        return v == null ? fallback : toDouble(key, v);
    }

    /** A whole number that must be present (2.0 is accepted, 2.5 is not). */
    long integer(String key) {
        return toLong(key, require(key));
    }

    long integer(String key, long fallback) {
        Object v = params.get(key);
        return v == null ? fallback : toLong(key, v);
    }

    boolean flag(String key, boolean fallback) {
        Object v = params.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw invalid(key, v, "true or false");
    }

    String text(String key, String fallback) {
        Object v = params.get(key);
        if (v == null) return fallback;
        if (v instanceof String s) return s;
        throw invalid(key, v, "a string");
    }

    /** A list of whole numbers that must be present. */
    long[] integers(String key) {
        Object v = require(key);
        if (!(v instanceof List<?> list)) throw invalid(key, v, "a list of integers");
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = toLong(key + "[" + i + "]", list.get(i));
        return out;
    }

    /** One of the enum's constants, by name ignoring case ("exp_range" → EXP_RANGE). */
    <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        String s = text(key, null);
        if (s == null) return fallback;
        for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(s)) return e;
        throw invalid(
                key, s, "one of " + List.of(type.getEnumConstants()).toString().toLowerCase(Locale.ROOT));
    }

    private Object require(String key) {
        Object v = params.get(key);
        if (v == null) throw new IllegalArgumentException("missing parameter " + key);
        return v;
    }

    private double toDouble(String key, Object v) {
        if (v instanceof Number n) return n.doubleValue();
        throw invalid(key, v, "a number");
    }

    private long toLong(String key, Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)
            return ((Number) v).longValue();
        if (!(v instanceof Number n)) throw invalid(key, v, "an integer");
        double d = n.doubleValue();
        if (d != Math.rint(d) || Math.abs(d) >= 0x1p63) throw invalid(key, v, "an integer");
        return (long) d;
    }

    private IllegalArgumentException invalid(String key, Object v, String expected) {
        return new IllegalArgumentException(
                key + " must be " + expected + ", got " + (v instanceof String ? "\"" + v + "\"" : v));
    }
}
