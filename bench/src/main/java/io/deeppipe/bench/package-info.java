/**
 * The benchmark harness behind {@code bin/bench} and BENCHMARKS.md: each stage of the pipeline
 * is run side by side with its floor (plain Spark, a decode-only pass, a single-JVM fit, raw
 * {@code output()}) in one JVM, alternating over several rounds, and reported as the median and
 * spread of per-round ratios. Inputs are made from real data only ({@link io.deeppipe.bench.BenchData}).
 */
package io.deeppipe.bench;
