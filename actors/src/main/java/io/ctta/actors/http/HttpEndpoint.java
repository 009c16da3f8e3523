package io.ctta.actors.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import io.ctta.actors.cluster.ClusterView;
import io.ctta.actors.dashboard.Dashboard;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The runtime's HTTP surface: {@code /metrics} in the Prometheus text format, the health probes
 * ({@code /health/live}, {@code /health/ready}, {@code /health}), {@code /api/pipelines}, {@code /api/cluster}
 * (every node of the cluster and its models; this node alone without a cluster), the admin actions, and
 * the live dashboard ({@code /}, its static files, Chart.js from its webjar, {@code /api/series}).
 * It binds to loopback unless configured otherwise.
 */
public final class HttpEndpoint {

    private static final ContentType.WithCharset PROMETHEUS_TEXT =
            MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

    private HttpEndpoint() {}

    /** The routes, separate from binding so tests can exercise them. */
    public static Route routes(PrometheusMeterRegistry registry, Dashboard dashboard, Admin admin, Pipelines pipelines, ClusterView cluster) {
        return Directives.concat(
                AdminRoutes.routes(admin.token(), cluster, admin.knownStrategy()),
                // Every node's models, asked of every node agent: never served from a cache, a node that does not answer is listed as such.
                Directives.path(PathMatchers.segment("api").slash("cluster"), () -> Directives.get(() ->
                        Directives.onComplete(cluster.json(), t -> t.isSuccess()
                                ? Directives.complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, t.get()))
                                : Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "the cluster view could not be gathered: " + t.failed().get() + "\n")))),
                HealthRoutes.routes(pipelines.health(), new PipelinesJson(registry, pipelines.contract())),
                Directives.pathSingleSlash(() -> Directives.getFromResource("dashboard/index.html")),
                Directives.path("dashboard.js", () -> Directives.getFromResource("dashboard/dashboard.js")),
                Directives.path("dashboard.css", () -> Directives.getFromResource("dashboard/dashboard.css")),
                Directives.pathPrefix("webjars", () -> Directives.getFromResourceDirectory("META-INF/resources/webjars")),
                Directives.path(PathMatchers.segment("api").slash("series"), () -> Directives.get(() ->
                        Directives.parameterOptional("since", since -> Directives.complete(
                                HttpEntities.create(ContentTypes.APPLICATION_JSON, dashboard.series(parseSince(since))))))),
                Directives.path("metrics", () -> Directives.get(() ->
                        Directives.complete(HttpEntities.create(PROMETHEUS_TEXT, registry.scrape())))));
    }

    private static double parseSince(java.util.Optional<String> since) {
        try {
            return since.map(Double::parseDouble).filter(Double::isFinite).orElse(Double.NEGATIVE_INFINITY);
        } catch (NumberFormatException e) {
            return Double.NEGATIVE_INFINITY;
        }
    }

    /** Binds the routes; the stage completes once the port is open. */
    public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, PrometheusMeterRegistry registry,
            Dashboard dashboard, Admin admin, Pipelines pipelines, ClusterView cluster) {
        return Http.get(system).newServerAt(host, port).bind(routes(registry, dashboard, admin, pipelines, cluster));
    }

    /**
     * What the health probes and {@code /api/pipelines} report.
     *
     * @param health the pipelines' states and the process's failure policy
     * @param contract the input contract of the model the pipelines serve
     */
    public record Pipelines(io.ctta.actors.health.HealthCheck health, io.ctta.actors.model.InputContract contract) {}

    /**
     * What the admin routes act on.
     *
     * @param token the bearer token; empty refuses every admin request
     * @param knownStrategy tells whether a strategy name is registered
     */
    public record Admin(String token, java.util.function.Predicate<String> knownStrategy) {}

    /** Unbinds and waits for open requests up to {@code grace}. */
    public static CompletionStage<?> unbind(ServerBinding binding, Duration grace) {
        return binding.terminate(grace);
    }
}
