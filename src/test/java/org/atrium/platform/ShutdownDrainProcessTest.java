package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica that receives SIGTERM answers 503 on readiness while it still accepts requests, for
 * {@code atrium.shutdown.drain-delay}, then stops accepting, finishes what is in flight and exits.
 */
class ShutdownDrainProcessTest {

    @Test
    void readinessGoesDownBeforeTheListenerClosesThenTheReplicaExitsCleanly() throws Exception {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("drain");
        try (AtriumProcess replica = AtriumProcess.builder().database(database)
                .env("ATRIUM_SHUTDOWN_DRAIN_DELAY", "4s").start()) {
            replica.awaitReady(ProcessTestSupport.TIMEOUT);
            Api api = replica.api();
            assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(200);

            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                    () -> replica.stop(ProcessTestSupport.TIMEOUT));
            List<Integer> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!exit.isDone() && System.nanoTime() < deadline) {
                try {
                    seen.add(api.get("/actuator/health/readiness", null).status());
                } catch (RuntimeException refused) {
                    seen.add(-1); // the listener closed
                }
                Thread.sleep(100);
            }

            // The JVM's status after SIGTERM, its shutdown hooks run (128 + 15), and the graceful shutdown logged.
            assertThat(exit.get()).as("exit after SIGTERM:\n%s", replica.output()).isEqualTo(143);
            assertThat(replica.output()).contains("Graceful shutdown complete");
            assertThat(seen).as("readiness answered 503 while requests were still accepted").contains(503);
            int firstRefusal = seen.indexOf(503);
            assertThat(seen.subList(firstRefusal, seen.size())).as("never ready again").doesNotContain(200);
            assertThat(seen.stream().filter(status -> status == 503).count())
                    .as("for the drain delay (polled every 100 ms): %s", seen).isGreaterThanOrEqualTo(10);
            assertThat(replica.output()).contains("shutdown.draining");
        }
    }
}
