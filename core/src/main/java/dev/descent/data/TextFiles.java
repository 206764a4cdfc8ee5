package dev.descent.data;

import dev.descent.checkpoint.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads labelled text documents for the text features of {@code dev.descent.text}: JSON Lines (one
 * object per line with a text field and a label field) or a plain text file of one document per
 * line with a label file of one label per line. Both may be gzip; both must be UTF-8: bytes that are
 * not, a NUL character (binary data), a line that is not a JSON object, a missing field, an empty
 * file or a label count that differs from the document count fail with a {@link
 * DataFormatException} naming file and line.
 */
public final class TextFiles {

    private TextFiles() {}

    /**
     * Documents with class labels: document i has label {@code labels[i]}, an index into {@code
     * classes} (the distinct label strings, sorted, as scikit-learn's {@code LabelEncoder} numbers
     * them).
     */
    public record LabeledTexts(String name, List<String> texts, int[] labels, List<String> classes) {
        public int size() {
            return texts.size();
        }

        /** The labels as the float targets of a data set. */
        public float[] targets() {
            float[] y = new float[labels.length];
            for (int i = 0; i < y.length; i++) y[i] = labels[i];
            return y;
        }
    }

    /** JSON Lines: the string field {@code textField} of each line's object is the document, {@code labelField} its label. */
    public static LabeledTexts readJsonLines(Path file, String textField, String labelField) {
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        try (LineReader in = LineReader.openText(file)) {
            for (String line; (line = in.nextText()) != null; ) {
                if (line.isBlank()) continue;
                Object parsed;
                try {
                    parsed = Json.parse(line);
                } catch (IllegalArgumentException e) {
                    throw in.error("a JSON object", "invalid JSON: " + e.getMessage());
                }
                if (!(parsed instanceof Map<?, ?> object))
                    throw in.error("a JSON object", DataFormatException.quote(line));
                texts.add(field(in, object, textField));
                labels.add(field(in, object, labelField));
            }
            if (texts.isEmpty()) throw in.error("a JSON object per line", "an empty file");
        }
        return labeled(LineReader.nameOf(file), texts, labels);
    }

    /**
     * One document per line of {@code texts} (blank lines are empty documents) and its label on the
     * same line of {@code labels}.
     */
    public static LabeledTexts readLines(Path texts, Path labels) {
        List<String> docs = new ArrayList<>();
        try (LineReader in = LineReader.openText(texts)) {
            for (String line; (line = in.nextText()) != null; ) docs.add(line);
            if (docs.isEmpty()) throw in.error("a document per line", "an empty file");
        }
        List<String> names = new ArrayList<>();
        try (LineReader in = LineReader.openText(labels)) {
            for (String line; (line = in.nextText()) != null; ) {
                String label = line.strip();
                if (label.isEmpty()) throw in.error("a label", "a blank line");
                if (names.size() == docs.size())
                    throw in.error("one label per document of " + texts + " (" + docs.size() + ")", "more labels");
                names.add(label);
            }
            if (names.size() < docs.size())
                throw in.error(
                        "one label per document of " + texts + " (" + docs.size() + ")", names.size() + " labels");
        }
        return labeled(LineReader.nameOf(texts), docs, names);
    }

    private static String field(LineReader in, Map<?, ?> object, String name) {
        Object v = object.get(name);
        if (v == null) throw in.error("a field \"" + name + "\"", "an object without it");
        if (v instanceof String s) return s;
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        throw in.error(
                "a string or number in field \"" + name + "\"",
                "a " + v.getClass().getSimpleName());
    }

    private static LabeledTexts labeled(String name, List<String> texts, List<String> labelNames) {
        List<String> classes = new ArrayList<>(new TreeSet<>(labelNames));
        int[] labels = new int[labelNames.size()];
        for (int i = 0; i < labels.length; i++)
            labels[i] = java.util.Collections.binarySearch(classes, labelNames.get(i));
        return new LabeledTexts(name, List.copyOf(texts), labels, List.copyOf(classes));
    }
}
