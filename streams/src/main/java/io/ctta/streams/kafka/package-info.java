/**
 * Kafka plumbing that is not a stream stage: client settings with pass-through security
 * ({@link io.ctta.streams.kafka.KafkaSettings}), a replay producer for benchmark streams
 * ({@link io.ctta.streams.kafka.ReplayProducer}). The in-process broker for tests and the demo is
 * the module {@code ctta-embedded-kafka}, not part of streams.
 *
 * <p>Consumers in project code are pekko-connectors-kafka sources, which confine the
 * non-thread-safe {@code KafkaConsumer} to one actor; the raw
 * {@code KafkaConsumer} appears only in tests.
 */
package io.ctta.streams.kafka;
