package org.atrium.settings;

import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One account may hold {@code atrium.events.max-per-user} (10) event streams on a replica; another is not affected. */
class EventStreamLimitTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anAccountsEleventhStreamIsRefusedWith429UntilOneCloses() throws Exception {
        TestUsers.Account greedy = users.user();
        TestUsers.Account other = users.user();
        List<HttpResponse<Stream<String>>> open = new ArrayList<>();
        try {
            for (int stream = 0; stream < 10; stream++) {
                HttpResponse<Stream<String>> response = openStream(greedy.token());
                open.add(response);
                assertThat(response.statusCode()).as("stream %d", stream + 1).isEqualTo(200);
            }

            HttpResponse<Stream<String>> refused = openStream(greedy.token());
            open.add(refused);
            HttpResponse<Stream<String>> othersStream = openStream(other.token());
            open.add(othersStream);

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(String.join("\n", refused.body().toList())).contains("\"code\":\"too_many_streams\"");
            assertThat(othersStream.statusCode()).as("another account").isEqualTo(200);

            open.getFirst().body().close();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                HttpResponse<Stream<String>> again = openStream(greedy.token());
                open.add(again);
                assertThat(again.statusCode()).as("after closing one").isEqualTo(200);
            });
        } finally {
            open.forEach(response -> response.body().close());
        }
    }

    private HttpResponse<Stream<String>> openStream(String token) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/v1/events"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
    }
}
