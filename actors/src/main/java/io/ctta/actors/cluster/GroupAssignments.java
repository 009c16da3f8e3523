package io.ctta.actors.cluster;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.config.CttaSettings.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The input partitions this node's consumers hold, as the group coordinator reports them. Kafka,
 * not Pekko, places a pipeline's partitions; the coordinator names each member by its
 * {@code group.instance.id} when static membership is configured ({@code group-instance-id}), so
 * this node's member of each such pipeline's group can be found. Pipelines with dynamic
 * membership are not listed (their members carry only generated ids), nor partition-scoped ones:
 * their model registry already names every partition served here, with or without static
 * membership. Blocking: call it off the actors' dispatchers.
 */
public final class GroupAssignments implements AutoCloseable {
    private static final long TIMEOUT_S = 5;

    /** This node's consumer of one pipeline's input. */
    private record Member(String pipeline, String groupId, String instanceId, String topic) {}

    private final List<Member> members;
    private final Admin admin;

    private GroupAssignments(List<Member> members, Properties kafka) {
        this.members = members;
        this.admin = Admin.create(kafka);
    }

    /** For the pipelines with static membership and one model for all partitions; null when none has it (nothing to ask). */
    public static GroupAssignments of(List<PipelineConf> pipelines, Properties kafka) {
        List<Member> members = new ArrayList<>();
        for (PipelineConf p : pipelines) {
            if (!p.groupInstanceId().isEmpty() && p.scope() != Scope.PARTITION) {
                // The input consumer's group.instance.id, as the pipeline's stream sets it.
                members.add(new Member(p.name(), p.groupId(), p.groupInstanceId() + "-" + p.name(), p.inputTopic()));
            }
        }
        return members.isEmpty() ? null : new GroupAssignments(List.copyOf(members), kafka);
    }

    /** Each pipeline's input partitions held by this node's consumer now (sorted; empty when it holds none). */
    Map<String, List<Integer>> poll() {
        try {
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(members.stream().map(Member::groupId).distinct().toList())
                    .all().get(TIMEOUT_S, TimeUnit.SECONDS);
            Map<String, List<Integer>> out = new HashMap<>();
            for (Member m : members) {
                TreeSet<Integer> partitions = new TreeSet<>();
                ConsumerGroupDescription g = groups.get(m.groupId());
                for (MemberDescription d : g == null ? List.<MemberDescription>of() : g.members()) {
                    if (d.groupInstanceId().filter(m.instanceId()::equals).isPresent()) {
                        for (TopicPartition tp : d.assignment().topicPartitions()) {
                            if (tp.topic().equals(m.topic())) {
                                partitions.add(tp.partition());
                            }
                        }
                    }
                }
                out.put(m.pipeline(), List.copyOf(partitions));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the group assignments", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the group assignments: " + e, e);
        }
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
