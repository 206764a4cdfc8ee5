package dev.descent.reference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers for reading reference JSON into the plain types core's factories take. */
final class Json {
    private Json() {}

    static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing field '" + field + "'");
        return v;
    }

    static float[] floats(JsonNode array) {
        if (!array.isArray()) throw new IllegalArgumentException("expected an array of numbers, got " + array);
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isNumber()) throw new IllegalArgumentException("expected a number at index " + i + ", got " + v);
            out[i] = (float) v.asDouble();
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }

    /** A JSON object as a map of Number / Boolean / String / List / Map values. */
    static Map<String, Object> map(JsonNode object) {
        Map<String, Object> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), plain(e.getValue())));
        return out;
    }

    static Object plain(JsonNode v) {
        if (v.isNumber()) return v.numberValue();
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual()) return v.textValue();
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (v.isObject()) return map(v);
        return null;
    }
}
