package io.ctta.actors.cluster;

import java.util.List;

/**
 * What a node's agent answers to a describe request.
 *
 * @param address the node's cluster address ({@code pekko://ctta@host:port}), or the local
 *     system's address when the cluster is disabled
 * @param models every model of every configured pipeline of the node, in config order
 */
public record NodeView(String address, List<ModelView> models) implements ClusterMessage {
    public NodeView {
        models = List.copyOf(models);
    }
}
