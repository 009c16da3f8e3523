package io.ctta.actors.http;

import io.ctta.actors.model.ModelActor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin actions over HTTP, each behind a bearer token: reset a pipeline's strategy to the source
 * weights, take a checkpoint after the next batch, switch strategy. With no token configured every
 * admin request is refused, so an open port never lets anyone change a model.
 */
final class AdminRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);

    private AdminRoutes() {}

    /**
     * @param models each pipeline's model actor, by pipeline name (filled as pipelines start)
     * @param knownStrategy tells whether a strategy name is registered
     */
    static Route routes(String token, Map<String, ActorRef<ModelActor.Command>> models, Predicate<String> knownStrategy) {
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return Directives.pathPrefix("admin", () -> Directives.post(() -> Directives.optionalHeaderValueByName("Authorization", auth -> {
            if (token.isEmpty()) {
                return Directives.complete(StatusCodes.FORBIDDEN, "admin actions are disabled: set ctta.http.admin-token (or CTTA_ADMIN_TOKEN)\n");
            }
            // Constant-time comparison: the time to reject says nothing about the token.
            if (auth.isEmpty() || !MessageDigest.isEqual(expected, auth.get().getBytes(StandardCharsets.UTF_8))) {
                return Directives.complete(StatusCodes.UNAUTHORIZED, "missing or wrong bearer token\n");
            }
            return Directives.pathPrefix("pipelines", () -> Directives.pathPrefix(PathMatchers.segment(), name -> {
                ActorRef<ModelActor.Command> model = models.get(name);
                if (model == null) {
                    return Directives.complete(StatusCodes.NOT_FOUND, "no pipeline named " + name + "\n");
                }
                return Directives.concat(
                        Directives.path("reset", () -> act(name, model, new ModelActor.Reset("admin request"), "reset to the source weights")),
                        Directives.path("checkpoint", () -> act(name, model, ModelActor.CheckpointNow.INSTANCE, "checkpoint after the next batch")),
                        Directives.path(PathMatchers.segment("switch").slash(PathMatchers.segment()), strategy -> knownStrategy.test(strategy)
                                ? act(name, model, new ModelActor.SwitchStrategy(strategy), "switch strategy to " + strategy)
                                : Directives.complete(StatusCodes.BAD_REQUEST, "unknown strategy " + strategy + "\n")));
            }));
        })));
    }

    private static Route act(String pipeline, ActorRef<ModelActor.Command> model, ModelActor.Command command, String what) {
        // Admin actions change a live model: the log says which pipeline, and what (never the token).
        LOG.info("pipeline {}: admin request: {}", pipeline, what);
        model.tell(command);
        return Directives.complete(StatusCodes.ACCEPTED, "pipeline " + pipeline + ": " + what + "\n");
    }
}
