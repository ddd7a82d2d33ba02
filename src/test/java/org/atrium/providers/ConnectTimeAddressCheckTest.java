package org.atrium.providers;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.atrium.providers.ProviderConnection.Type;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.FakeChatServer.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * An endpoint that may not reach internal addresses is checked where the client connects, not only where its URL
 * was accepted: the name is resolved for the connection itself, so a name re-pointed at an internal address in
 * between (DNS rebinding) reaches nothing. The fake provider listens on loopback, which such an endpoint must not
 * reach whether its URL names the address or a name that resolves to it.
 */
class ConnectTimeAddressCheckTest {

    private static final FakeChatServer SERVER = FakeChatServer.start();
    private static final ChatRequest HELLO = ChatRequest.of("m-1", List.of(ChatMessage.user("Hello")));
    private static final CallTimeouts TIMEOUTS = new CallTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(10));

    private final ChatProviders providers = new ChatProviders(ChatTranslationTest.JSON, null, ChatResilience.DEFAULTS);

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    @BeforeEach
    void reset() {
        SERVER.reset();
        SERVER.models("model-a");
    }

    private static ProviderEndpoint endpoint(String host, boolean internalAddresses) {
        URI url = URI.create(SERVER.openAiBaseUrl().replace("127.0.0.1", host));
        return new ProviderEndpoint(new ProviderConnection("rebound", Type.OPENAI, url), Map.of(), TIMEOUTS,
                internalAddresses);
    }

    @Test
    void aChatCallToAnInternalAddressIsRefusedAtOnceWithoutReachingIt() {
        for (String host : List.of("127.0.0.1", "localhost")) {
            ProviderFailure failure = catchThrowableOfType(ProviderFailure.class,
                    () -> providers.complete(endpoint(host, false), "k", HELLO));

            assertThat(failure.code()).isEqualTo(ProviderFailure.UNAVAILABLE);
            assertThat(failure.getMessage()).contains("its host '" + host + "' resolves to a loopback address,"
                    + " which this connection may not reach");
        }
        assertThat(SERVER.requests()).isEmpty();
    }

    @Test
    void aRefusedAddressIsNotRetried() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ChatProviders counted = new ChatProviders(ChatTranslationTest.JSON, meters, ChatResilience.DEFAULTS);

        ProviderFailure failure = catchThrowableOfType(ProviderFailure.class,
                () -> counted.complete(endpoint("localhost", false), "k", HELLO));

        assertThat(failure.code()).isEqualTo(ProviderFailure.UNAVAILABLE);
        // Three attempts by default for an unavailable provider; an address that is refused gets one.
        assertThat(meters.find("atrium.provider.requests").tags("operation", "chat").timers())
                .singleElement().satisfies(timer -> {
                    assertThat(timer.getId().getTag("outcome")).isEqualTo("failure");
                    assertThat(timer.count()).isEqualTo(1);
                });
        assertThat(SERVER.requests()).isEmpty();
    }

    @Test
    void aModelListFromAnInternalAddressIsRefusedWithoutReachingIt() {
        ProviderFailure failure = catchThrowableOfType(ProviderFailure.class,
                () -> providers.listModels(endpoint("localhost", false), "k"));

        assertThat(failure.code()).isEqualTo(ProviderFailure.UNAVAILABLE);
        assertThat(failure.getMessage()).contains("resolves to a loopback address");
        assertThat(SERVER.requests()).isEmpty();
    }

    @Test
    void anEndpointAllowedInternalAddressesReachesThem() {
        SERVER.enqueue(Script.text("Hi there"));

        assertThat(providers.complete(endpoint("localhost", true), "k", HELLO).text()).isEqualTo("Hi there");
        assertThat(providers.listModels(endpoint("localhost", true), "k")).extracting(ProviderModel::id)
                .containsExactly("model-a");
    }
}
