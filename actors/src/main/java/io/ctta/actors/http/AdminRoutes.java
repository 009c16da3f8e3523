package io.ctta.actors.http;

import io.ctta.actors.cluster.AdminAction;
import io.ctta.actors.cluster.ClusterView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Predicate;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin actions over HTTP, each behind a bearer token: reset a pipeline's strategy to the source
 * weights, take a checkpoint after the next batch, switch strategy; for the whole pipeline or for
 * the model(s) serving one input partition ({@code /admin/pipelines/<name>/partitions/<n>/...}).
 * With no token configured every admin request is refused, so an open port never lets anyone
 * change a model. The action goes to every node that runs the pipeline (this one alone without a
 * cluster), through the node agents; the reply names the nodes that acted.
 */
final class AdminRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);

    private AdminRoutes() {}

    /**
     * @param cluster reaches every node's agent (this node's alone without a cluster)
     * @param knownStrategy tells whether a strategy name is registered
     */
    static Route routes(String token, ClusterView cluster, Predicate<String> knownStrategy) {
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return Directives.pathPrefix("admin", () -> Directives.post(() -> Directives.optionalHeaderValueByName("Authorization", auth -> {
            if (token.isEmpty()) {
                return Directives.complete(StatusCodes.FORBIDDEN, "admin actions are disabled: set ctta.http.admin-token (or CTTA_ADMIN_TOKEN)\n");
            }
            // Constant-time comparison: the time to reject says nothing about the token.
            if (auth.isEmpty() || !MessageDigest.isEqual(expected, auth.get().getBytes(StandardCharsets.UTF_8))) {
                return Directives.complete(StatusCodes.UNAUTHORIZED, "missing or wrong bearer token\n");
            }
            return Directives.pathPrefix("pipelines", () -> Directives.pathPrefix(PathMatchers.segment(), name -> Directives.concat(
                    Directives.pathPrefix(PathMatchers.segment("partitions").slash(PathMatchers.integerSegment()),
                            partition -> actions(name, partition, cluster, knownStrategy)),
                    actions(name, null, cluster, knownStrategy))));
        })));
    }

    private static Route actions(String name, Integer partition, ClusterView cluster, Predicate<String> knownStrategy) {
        return Directives.concat(
                Directives.path("reset", () -> act(name, partition, AdminAction.reset(), cluster)),
                Directives.path("checkpoint", () -> act(name, partition, AdminAction.checkpoint(), cluster)),
                Directives.path(PathMatchers.segment("switch").slash(PathMatchers.segment()), strategy -> knownStrategy.test(strategy)
                        ? act(name, partition, AdminAction.switchTo(strategy), cluster)
                        : Directives.complete(StatusCodes.BAD_REQUEST, "unknown strategy " + strategy + "\n")));
    }

    private static Route act(String pipeline, Integer partition, AdminAction action, ClusterView cluster) {
        String target = "pipeline " + pipeline + (partition == null ? "" : " partition " + partition);
        // Admin actions change a live model: the log says which pipeline, and what (never the token).
        LOG.info("{}: admin request: {}", target, action.describe());
        return Directives.onComplete(cluster.act(pipeline, partition, action), t -> {
            if (t.isFailure()) {
                return Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, target + ": the node agents could not be asked: " + t.failed().get() + "\n");
            }
            ClusterView.Routed r = t.get();
            String silent = r.silent().isEmpty() ? "" : "no answer from: " + String.join(", ", r.silent()) + "\n";
            if (!r.acted().isEmpty()) {
                return Directives.complete(StatusCodes.ACCEPTED, target + ": " + action.describe() + "\nacted on: "
                        + String.join(", ", r.acted()) + "\n" + silent);
            }
            if (!r.silent().isEmpty()) {
                return Directives.complete(StatusCodes.GATEWAY_TIMEOUT, "no node that answered runs " + target + "\n" + silent);
            }
            return Directives.complete(StatusCodes.NOT_FOUND, "no pipeline named " + pipeline + (partition == null ? "" : " holding partition " + partition)
                    + " on " + (r.answered().size() == 1 ? "this node" : "any of the " + r.answered().size() + " nodes") + "\n");
        });
    }
}
