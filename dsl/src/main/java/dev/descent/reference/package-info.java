/**
 * Conformance with PyTorch: {@link dev.descent.reference.ReferenceRunner} runs the reference cases
 * of a directory of JSON files (PyTorch's numbers, in the format of {@code shared/reference}) on one
 * backend and reports, per case, a {@link dev.descent.reference.CaseResult} with the largest relative
 * error. {@code descent reference DIR} is its command line.
 */
package dev.descent.reference;
