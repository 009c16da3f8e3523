package io.ctta.actors.cluster;

/**
 * A node agent's answer to a routed admin action.
 *
 * @param address the node that answered
 * @param acted whether it runs the pipeline (and partition) and passed the action to its model(s)
 * @param models how many of its models got the action
 */
public record ActResult(String address, boolean acted, int models) implements ClusterMessage {}
