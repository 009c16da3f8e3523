/**
 * The embedded-broker SPI: the runtime asks for a broker through {@link io.ctta.actors.broker.EmbeddedBrokers}
 * and never links the broker itself, so its runtime classpath carries no Kafka server, ZooKeeper or Scala.
 */
package io.ctta.actors.broker;
