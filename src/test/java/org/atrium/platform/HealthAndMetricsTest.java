package org.atrium.platform;

import org.atrium.testing.Api;
import org.atrium.testing.EventStreamClient;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Status;
import org.springframework.core.env.Environment;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Probes are public, metrics need the metrics token; nothing else of the actuator is exposed. */
class HealthAndMetricsTest extends IntegrationTest {

    @Autowired
    private HealthEndpoint health;

    @Autowired
    private HealthEndpointGroups groups;

    @Autowired
    private PathMappedEndpoints endpoints;

    @Autowired
    private Environment environment;

    @Test
    void livenessIsPublicAndUp() {
        Api.Response response = api.get("/actuator/health/liveness", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("status").asString(null)).isEqualTo("UP");
    }

    @Test
    void readinessIsPublicAndUp() {
        Api.Response response = api.get("/actuator/health/readiness", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("status").asString(null)).isEqualTo("UP");
    }

    @Test
    void publicHealthShowsNoComponentsOrDetails() {
        Api.Response response = api.get("/actuator/health/readiness", null);

        assertThat(response.json().has("components")).isFalse();
        assertThat(response.json().has("details")).isFalse();
        assertThat(response.text()).doesNotContainIgnoringCase("redis").doesNotContainIgnoringCase("postgres");
    }

    @Test
    void inClusterModeReadinessWaitsForTheDatabaseAndRedisIsReportedOutsideIt() {
        assertThat(environment.getProperty("atrium.mode")).isEqualTo("cluster");
        assertThat(groups.get("readiness").isMember("db")).as("db in the readiness group").isTrue();
        assertThat(groups.get("readiness").isMember("redis"))
                .as("a replica serves reads without Redis: an outage must not make every replica unready").isFalse();
        assertThat(groups.get("liveness").isMember("redis")).as("redis stays out of liveness").isFalse();
        assertThat(groups.get("cache").isMember("redis")).as("redis has a group of its own").isTrue();

        HealthDescriptor readiness = health.healthForPath("readiness");
        assertThat(readiness).isInstanceOf(CompositeHealthDescriptor.class);
        var components = ((CompositeHealthDescriptor) readiness).getComponents();
        assertThat(components).containsKeys("db", "readinessState").doesNotContainKey("redis");
        assertThat(readiness.getStatus()).isEqualTo(Status.UP);
        assertThat(health.healthForPath("redis").getStatus()).as("still a health component").isEqualTo(Status.UP);
        assertThat(api.get("/actuator/health/cache", null).status()).isEqualTo(200);
    }

    @Test
    void prometheusScrapeWithTheMetricsTokenIsTextWithHttpServerRequestMetrics() {
        api.get("/api/v1/groups", null);

        Api.Response response = api.get("/actuator/prometheus", TestInfrastructure.METRICS_TOKEN);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/plain");
        assertThat(response.text()).contains("http_server_requests_seconds_count")
                .contains("application=\"atrium\"");
    }

    /**
     * Observations of each security filter and of each Redis command are off (their cost on the hot path is in
     * docs/benchmarks.md); requests are still timed as a whole.
     */
    @Test
    void neitherSecurityFiltersNorRedisCommandsAreObservedOneByOne() {
        TestUsers.Account user = users.user();
        assertThat(api.get("/api/v1/auth/me", user.token()).status()).isEqualTo(200);

        String scrape = api.get("/actuator/prometheus", TestInfrastructure.METRICS_TOKEN).text();

        assertThat(scrape).contains("http_server_requests_seconds_count").contains("uri=\"/api/v1/auth/me\"")
                .doesNotContain("spring_security_").doesNotContain("lettuce");
    }

    @Test
    void openEventStreamsAreAGaugeToScaleOn() {
        TestUsers.Account user = users.user();
        try (EventStreamClient stream = EventStreamClient.open(api.baseUrl(), user.token())) {
            stream.awaitEvent("ready", 0, Duration.ofSeconds(10));
            assertThat(metric("atrium_events_streams")).as("this stream is counted").isGreaterThanOrEqualTo(1);
        }
        assertThat(metric("atrium_chat_answers_generating")).as("the answers' gauge is registered")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void prometheusScrapeIsRefusedWithoutTheMetricsToken() {
        TestUsers.Account admin = users.admin();
        for (String token : new String[] {null, "wrong-token", admin.token()}) {
            Api.Response response = api.get("/actuator/prometheus", token);

            assertThat(response.status()).as("token %s", token == null ? "none" : "other").isEqualTo(401);
            assertThat(response.json().path("code").asString(null)).isEqualTo("metrics_token_required");
            assertThat(response.text()).doesNotContain("http_server_requests");
        }
    }

    @Test
    void otherActuatorEndpointsAreNotExposed() {
        assertThat(endpoints.getAllRootPaths())
                .containsExactlyInAnyOrder("health", "info", "prometheus");
        assertThat(endpoints.getEndpoint(EndpointId.of("env"))).isNull();

        TestUsers.Account admin = users.admin();
        for (String path : List.of("/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/heapdump",
                "/actuator/loggers", "/actuator/mappings", "/actuator/metrics", "/actuator/threaddump",
                "/actuator/shutdown")) {
            assertThat(api.get(path, null).status()).as("anonymous GET %s", path).isIn(401, 404);
            assertThat(api.get(path, admin.token()).status()).as("admin GET %s", path).isIn(401, 403, 404);
            assertThat(api.post(path, null, admin.token()).status()).as("admin POST %s", path).isIn(401, 403, 404);
        }
    }
}
