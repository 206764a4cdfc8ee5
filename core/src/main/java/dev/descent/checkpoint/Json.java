package dev.descent.checkpoint;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) reader and writer over plain Java values, so that core needs no
 * JSON library.
 *
 * <p>Values map as follows. Reading: object → {@code LinkedHashMap<String, Object>} (member order
 * kept; a duplicate name is an error), array → {@code ArrayList<Object>}, string → {@code String},
 * {@code true}/{@code false} → {@code Boolean}, {@code null} → {@code null}, a number without
 * fraction or exponent that fits a {@code long} → {@code Long}, any other number → {@code Double}.
 * Writing accepts {@code Map} (String keys), {@code Iterable}, arrays ({@code Object[]},
 * {@code int[]}, {@code long[]}, {@code float[]}, {@code double[]}), {@code String},
 * {@code Boolean}, {@code null} and {@code Number}: integral types are written as integers,
 * {@code Double} with {@link Double#toString} and {@code Float} with {@link Float#toString}, so
 * {@code parse(write(x))} gives back the same long, the same double, or a double whose
 * {@code floatValue()} is the same float. NaN and infinities are not JSON and are rejected.
 *
 * <p>{@link #parse} throws {@link JsonException} (with line:column) for every malformed input and
 * nothing else; nesting deeper than {@value #MAX_DEPTH} levels is rejected rather than overflowing
 * the stack. {@link #write} throws {@link IllegalArgumentException} naming the path of a value it
 * cannot write (e.g. {@code $.history[3]: NaN is not a JSON number}).
 */
public final class Json {

    /** Deepest nesting of arrays and objects {@link #parse} accepts. */
    public static final int MAX_DEPTH = 512;

    private final String text;
    private int pos;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value (surrounded by optional whitespace, nothing else) from text. */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("expected the end of the text after the value");
        return v;
    }

    /** Compact JSON for a value (no whitespace). */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "$", null);
        return out.toString();
    }

    /** Indented JSON for a value (two spaces per level; arrays of numbers stay on one line). */
    public static String writePretty(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "$", "\n");
        return out.append('\n').toString();
    }

    // ---- reading ----

    private Object value() {
        if (pos >= text.length()) throw error("expected a value");
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("expected a value");
        }
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            if (peek() != '"') throw error("expected '\"' starting an object member name");
            int at = pos;
            String name = string();
            skipSpace();
            if (peek() != ':') throw error("expected ':' after an object member name");
            pos++;
            skipSpace();
            Object v = value();
            if (map.containsKey(name)) throw errorAt(at, "duplicate object member name " + quote(name));
            map.put(name, v);
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') break;
            if (c != ',') throw errorAt(pos - 1, "expected ',' or '}' after an object member");
            skipSpace();
        }
        depth--;
        return map;
    }

    private List<Object> array() {
        enter();
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            list.add(value());
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') break;
            if (c != ',') throw errorAt(pos - 1, "expected ',' or ']' after an array element");
            skipSpace();
        }
        depth--;
        return list;
    }

    private String string() {
        pos++; // opening quote
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("expected '\"' closing the string");
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return s.toString();
            }
            if (c < 0x20) throw error("expected a character, found an unescaped control character (use \\u00XX)");
            if (c != '\\') {
                s.append(c);
                pos++;
                continue;
            }
            char e = pos + 1 < text.length() ? text.charAt(pos + 1) : 0;
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = pos + 2 + i < text.length() ? Character.digit(text.charAt(pos + 2 + i), 16) : -1;
                        if (d < 0) throw error("expected 4 hex digits after \\u");
                        code = code * 16 + d;
                    }
                    s.append((char) code);
                    pos += 4;
                }
                default -> throw error("expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
            pos += 2;
        }
    }

    private Object number() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') pos++;
        if (peek() == '0') pos++;
        else if (!digits()) throw error("expected a digit");
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!digits()) throw error("expected a digit after '.'");
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!digits()) throw error("expected a digit in the exponent");
        }
        String n = text.substring(start, pos);
        if (integral && pos - start <= 20) {
            try {
                return Long.parseLong(n);
            } catch (NumberFormatException tooBig) {
                // fall through to double
            }
        }
        double d = Double.parseDouble(n);
        if (Double.isInfinite(d)) throw errorAt(start, "number " + n + " is out of the range of a double");
        return d;
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') pos++;
        return pos > start;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("expected a value");
        pos += word.length();
        return value;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private JsonException error(String expected) {
        return errorAt(pos, expected);
    }

    private JsonException errorAt(int at, String expected) {
        int line = 1, column = 1;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else column++;
        }
        String found = at >= text.length()
                ? "the end of the text"
                : quote(text.substring(at, Math.min(text.length(), at + 12)));
        return new JsonException(line, column, expected + ", found " + found);
    }

    // ---- writing ----

    private static void write(Object v, StringBuilder out, String path, String indent) {
        if (v == null || v instanceof Boolean) out.append(v);
        else if (v instanceof String s) quote(s, out);
        else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) throw new IllegalArgumentException(path + ": " + v + " is not a JSON number");
            out.append(v instanceof Float f ? Float.toString(f) : Double.toString(d));
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)
            out.append(((Number) v).longValue());
        else if (v instanceof BigInteger || v instanceof BigDecimal) out.append(v);
        else if (v instanceof Map<?, ?> m) {
            out.append('{');
            String inner = indent == null ? null : indent + "  ";
            int i = 0;
            for (var e : m.entrySet()) {
                if (!(e.getKey() instanceof String k))
                    throw new IllegalArgumentException(path + ": object key " + e.getKey() + " is not a String");
                if (i++ > 0) out.append(',');
                if (inner != null) out.append(inner);
                quote(k, out);
                out.append(inner == null ? ":" : ": ");
                write(e.getValue(), out, path + "." + k, inner);
            }
            if (indent != null && i > 0) out.append(indent);
            out.append('}');
        } else {
            List<?> list = asList(v);
            if (list == null)
                throw new IllegalArgumentException(
                        path + ": cannot write a " + v.getClass().getName() + " as JSON");
            boolean flat = list.stream().noneMatch(x -> x instanceof Map || asList(x) != null);
            String inner = indent == null || flat ? null : indent + "  ";
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) out.append(indent != null && flat ? ", " : ",");
                if (inner != null) out.append(inner);
                write(list.get(i), out, path + "[" + i + "]", inner);
            }
            if (inner != null && !list.isEmpty()) out.append(indent);
            out.append(']');
        }
    }

    private static List<?> asList(Object v) {
        if (v instanceof List<?> l) return l;
        if (v instanceof Iterable<?> it) {
            List<Object> l = new ArrayList<>();
            it.forEach(l::add);
            return l;
        }
        if (v instanceof Object[] a) return Arrays.asList(a);
        if (v instanceof int[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof long[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof double[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof float[] a) {
            List<Float> l = new ArrayList<>(a.length);
            for (float f : a) l.add(f);
            return l;
        }
        return null;
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder();
        quote(s, out);
        return out.toString();
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    boolean lone = Character.isHighSurrogate(c)
                                    && !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                            || Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || lone) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
