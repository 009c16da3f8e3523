package io.ctta.actors.cluster;

import io.ctta.actors.model.ModelActor;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The model actors of this node, as the node agent finds them. Today each pipeline has one model
 * actor, registered under the pipeline's name; a pipeline with a model per input partition lists
 * one {@link Model} per partition, with its partition, and the cluster view and admin routing
 * follow without change.
 */
@FunctionalInterface
public interface LocalModels {

    /**
     * One model actor.
     *
     * @param partition the input partition it serves alone; null when it serves the whole pipeline
     */
    record Model(String pipeline, Integer partition, ActorRef<ModelActor.Command> ref) {}

    /** Every model actor running now (a pipeline that is starting may have none yet). */
    List<Model> all();

    /** One model per pipeline, from the registry the pipeline supervisors fill (pipeline name to model actor). */
    static LocalModels byPipeline(Map<String, ActorRef<ModelActor.Command>> registry) {
        return () -> registry.entrySet().stream().map(e -> new Model(e.getKey(), null, e.getValue())).toList();
    }
}
