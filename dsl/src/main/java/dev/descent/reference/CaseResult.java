package dev.descent.reference;

/**
 * The outcome of one reference case: where it came from, what kind it is, the largest relative
 * error {@code |a-b| / max(1, |b|)} over every compared number, and whether it passed.
 *
 * @param detail "unsupported: …" or an error message when the case could not run, else empty
 */
public record CaseResult(String file, int index, String kind, double maxRelativeError, boolean passed, String detail) {

    /** One line: file, case number, kind, max relative error, PASS/FAIL (and the detail if any). */
    public String line() {
        String err = Double.isNaN(maxRelativeError) ? "-" : String.format("%.3e", maxRelativeError);
        return String.format(
                "%-28s #%-3d %-44s max_rel_err %-10s %s%s",
                file, index, kind, err, passed ? "PASS" : "FAIL", detail.isEmpty() ? "" : "  (" + detail + ")");
    }
}
