package dev.descent.reference;

import com.fasterxml.jackson.databind.JsonNode;

/** Running maximum of the relative error {@code |a-b| / max(1, |b|)} between computed and expected. */
final class Compare {
    private double max;
    private int count;

    void value(double actual, double expected) {
        double e = Math.abs(actual - expected) / Math.max(1.0, Math.abs(expected));
        if (Double.isNaN(e)) e = Double.POSITIVE_INFINITY;
        max = Math.max(max, e);
        count++;
    }

    void array(float[] actual, int offset, JsonNode expected) {
        if (actual.length - offset < expected.size())
            throw new IllegalArgumentException(
                    "expected " + expected.size() + " values, computed " + (actual.length - offset));
        for (int i = 0; i < expected.size(); i++)
            value(actual[offset + i], expected.get(i).asDouble());
    }

    double max() {
        if (count == 0) throw new IllegalStateException("case compared no numbers");
        return max;
    }
}
