/**
 * Metrics measured per epoch on the training and validation data: the {@link
 * dev.descent.metric.Metric} seam, the built-ins in {@link dev.descent.metric.Metrics} (accuracy,
 * top-k accuracy, precision/recall/F1 binary and macro, ROC AUC, RMSE, MAE) and {@link
 * dev.descent.metric.MetricTracker}, which feeds a list of them batch by batch.
 */
package dev.descent.metric;
