/**
 * The continual-learning benchmark: supervised strategies (sgd, adam, upgd, sgd+spectral, ...)
 * run prequentially over a permuted Fashion-MNIST stream in this process, with a Markdown report
 * and plots. See {@link io.ctta.benchmarks.continual.ContinualBench}.
 */
package io.ctta.benchmarks.continual;
