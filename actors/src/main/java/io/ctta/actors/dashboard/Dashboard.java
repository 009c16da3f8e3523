package io.ctta.actors.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The recorders of every pipeline of a process, and the {@code /api/series} answer (docs/dashboard.md). */
public final class Dashboard {

    private final long startNanos = System.nanoTime();
    private final List<SeriesRecorder> recorders = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper();

    /** A recorder for a new pipeline. */
    public SeriesRecorder register(String pipeline, String strategy) {
        SeriesRecorder r = new SeriesRecorder(pipeline, strategy, startNanos);
        recorders.add(r);
        return r;
    }

    /** The JSON of {@code GET /api/series?since=}. */
    public String series(double since) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schema", 1);
        out.put("now", (System.nanoTime() - startNanos) / 1e9);
        List<Object> pipelines = new ArrayList<>();
        for (SeriesRecorder r : recorders) {
            pipelines.add(r.since(since));
        }
        out.put("pipelines", pipelines);
        try {
            return json.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
