/**
 * Thin command-line entry points: picocli parses, {@link io.deeppipe.jobs.ConfigDefaults} fills
 * defaults (flag → {@code --config FILE} → {@code conf/<command>.conf}), each command builds its
 * validated options record, starts Spark and calls one {@code run(spark, options)} in
 * {@code transforms} or {@code models}. Exit codes: 0 success, 2 bad usage or input, 1 failure.
 */
package io.deeppipe.jobs;
