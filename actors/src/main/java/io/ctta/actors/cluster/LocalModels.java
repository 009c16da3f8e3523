package io.ctta.actors.cluster;

import io.ctta.actors.config.CttaSettings.Scope;
import io.ctta.actors.model.ModelActor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The model actors of this node, as the node agent finds them. A pipeline with {@code scope =
 * pipeline} or {@code key} has one model actor, registered under the pipeline's name; a pipeline
 * with {@code scope = partition} has one per input partition assigned here, registered under
 * {@code <pipeline>-p<N>} while the partition is here.
 */
@FunctionalInterface
public interface LocalModels {

    /**
     * One model actor.
     *
     * @param partition the input partition it serves alone; null when it serves the whole pipeline
     * @param name the name it is registered, checkpointed and metered under (the pipeline's name,
     *     or {@code <pipeline>-p<N>} for a partition's model)
     */
    record Model(String pipeline, Integer partition, String name, ActorRef<ModelActor.Command> ref) {}

    /** Every model actor running now (a pipeline that is starting may have none yet). */
    List<Model> all();

    /**
     * The models of the registry the pipeline supervisors fill (model name to model actor), each
     * resolved to its pipeline and partition by the pipelines' scopes.
     *
     * @param scopes every configured pipeline's scope
     */
    static LocalModels fromRegistry(Map<String, ActorRef<ModelActor.Command>> registry, Map<String, Scope> scopes) {
        Map<String, Scope> known = Map.copyOf(scopes);
        return () -> {
            List<Model> out = new ArrayList<>();
            registry.forEach((name, ref) -> {
                Model m = resolve(name, ref, known);
                if (m != null) {
                    out.add(m);
                }
            });
            return out;
        };
    }

    /**
     * The model a registry name stands for: a pipeline's own model when {@code name} is a pipeline
     * that is not partition-scoped, a partition's model when it is {@code <p>-p<N>} of a
     * partition-scoped pipeline {@code p}; null for a name that is neither.
     */
    static Model resolve(String name, ActorRef<ModelActor.Command> ref, Map<String, Scope> scopes) {
        Scope own = scopes.get(name);
        if (own != null && own != Scope.PARTITION) {
            return new Model(name, null, name, ref);
        }
        // The last "-p": a pipeline's name may itself contain "-p" (cam-pa-p3 is partition 3 of cam-pa).
        int at = name.lastIndexOf("-p");
        if (at <= 0) {
            return null;
        }
        String pipeline = name.substring(0, at);
        String digits = name.substring(at + 2);
        if (scopes.get(pipeline) != Scope.PARTITION || !canonicalNumber(digits)) {
            return null;
        }
        return new Model(pipeline, Integer.parseInt(digits), name, ref);
    }

    /** A partition number as {@code unitName} writes it: decimal digits, no sign, no leading zero, fits an int. */
    private static boolean canonicalNumber(String s) {
        if (s.isEmpty() || s.length() > 10 || (s.length() > 1 && s.charAt(0) == '0') || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return Long.parseLong(s) <= Integer.MAX_VALUE;
    }
}
