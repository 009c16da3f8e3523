package io.ctta.actors.http;

import io.ctta.actors.health.HealthCheck;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/live}, {@code /health/ready} (Kubernetes probes: 200 or 503 with every pipeline's
 * state in the body), {@code /health} (an alias of live, the path earlier releases answered) and
 * {@code /api/pipelines}. Each answer is computed from the state registry at request time.
 */
final class HealthRoutes {

    private HealthRoutes() {}

    static Route routes(HealthCheck health, PipelinesJson json) {
        return Directives.get(() -> Directives.concat(
                Directives.path(PathMatchers.segment("health").slash("ready"), () -> Directives.extractRequest(r -> {
                    HealthCheck.Verdict v = health.check();
                    return answer(v.ready(), json.health(v));
                })),
                Directives.path(PathMatchers.segment("health").slash("live"), () -> live(health, json)),
                Directives.path("health", () -> live(health, json)),
                Directives.path(PathMatchers.segment("api").slash("pipelines"), () -> Directives.extractRequest(r ->
                        Directives.complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.pipelines(health.states().all())))))));
    }

    private static Route live(HealthCheck health, PipelinesJson json) {
        return Directives.extractRequest(r -> {
            HealthCheck.Verdict v = health.check();
            return answer(v.live(), json.health(v));
        });
    }

    private static Route answer(boolean ok, String body) {
        StatusCode code = ok ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE;
        return Directives.complete(code, HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    }
}
