package io.ctta.actors.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ctta.runtime.model.IntraOpThreads;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every message of an intercepted actor runs with the configured libtorch operator thread count. */
class IntraOpThreadsInterceptorTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Replies with the operator thread count of the thread that handles it. */
    record Ask(ActorRef<Integer> replyTo) {}

    private static Behavior<Ask> reporting(int threads) {
        return Behaviors.intercept(() -> new IntraOpThreadsInterceptor<>(new IntraOpThreads(threads), Ask.class),
                Behaviors.receiveMessage(a -> {
                    a.replyTo().tell(IntraOpThreads.ofCurrentThread());
                    return Behaviors.same();
                }));
    }

    @Test
    void twoActorsSharingTheModelDispatcherEachSeeTheirOwnCount() {
        // The model dispatcher has two threads, so the two actors' messages run on the same threads
        // in turn: each message must set its own count, whatever the previous one on that thread set.
        ActorRef<Ask> one = KIT.spawn(reporting(1), "one", ModelActor.dispatcher());
        ActorRef<Ask> two = KIT.spawn(reporting(2), "two", ModelActor.dispatcher());
        TestProbe<Integer> probe = KIT.createTestProbe();
        for (int i = 0; i < 20; i++) {
            one.tell(new Ask(probe.getRef()));
            assertEquals(1, probe.receiveMessage());
            two.tell(new Ask(probe.getRef()));
            assertEquals(2, probe.receiveMessage());
        }
    }
}
