package io.ctta.actors.cluster;

/**
 * Marks the messages that cross nodes (a node agent's commands and replies). reference.conf binds
 * it to Pekko's Jackson JSON serializer ({@code pekko.actor.serialization-bindings}); Java
 * serialization stays off, so a message that is not marked fails loudly instead of travelling.
 */
public interface ClusterMessage {}
