package org.atrium.compat.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenAI-compatible API driven by the official OpenAI Java SDK, unchanged but for base URL and key: models, a
 * completion, streaming with usage, a tool call round trip, JSON Schema output, errors. The provider behind it is an
 * OpenAI-format fake whose received requests are checked, so each translation is seen on both sides.
 */
class OpenAiSdkTest extends IntegrationTest {

    private FakeChatServer provider;
    private TestUsers.Account admin;
    private TestUsers.Account user;
    private String connection;
    private String connectionId;
    private OpenAIClient client;

    @BeforeEach
    void start() {
        admin = users.admin();
        provider = FakeChatServer.start().models("m", "m-large");
        connection = "sdk-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionId = created.json().path("id").asString();
        user = users.user();
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key",
                "name", "mine", "secret", "sk-upstream-0123456789abcdef"), user.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
        client = client(apiKey(user));
    }

    @AfterEach
    void stop() {
        api.delete("/api/v1/connections/" + connectionId, admin.token());
        provider.close();
    }

    private String apiKey(TestUsers.Account account) {
        Api.Response key = api.post("/api/v1/api-keys", Map.of("name", "script"), account.token());
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return key.json().path("key").asString();
    }

    private OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(api.baseUrl() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    private String model() {
        return connection + "/m";
    }

    @Test
    void modelsAreTheCallersCatalogueInOpenAisShape() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids).contains(connection + "/m", connection + "/m-large");
        Model one = client.models().list().data().stream().filter(m -> m.id().equals(model())).findFirst()
                .orElseThrow();
        assertThat(one.ownedBy()).isEqualTo(connection);

        // Open WebUI's path for the same list.
        Api.Response openWebUi = api.get("/api/models", user.token());
        assertThat(openWebUi.status()).isEqualTo(200);
        assertThat(openWebUi.json().path("object").asString()).isEqualTo("list");
        assertThat(openWebUi.text()).contains(model());
        // One model by id, the slash unencoded; an unknown one in OpenAI's error shape.
        Api.Response single = api.get("/v1/models/" + model(), user.token());
        assertThat(single.status()).as(single.text()).isEqualTo(200);
        assertThat(single.json().path("id").asString()).isEqualTo(model());
        Api.Response unknown = api.get("/v1/models/" + connection + "/nope", user.token());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("code").asString()).isEqualTo("model_not_found");
    }

    @Test
    void aCompletionIsTranslatedBothWaysAndItsUsageIsRecorded() {
        provider.enqueue(FakeChatServer.Script.text("Rooms B1 to B4.").withUsage(21, 6));

        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(model()).addSystemMessage("Be brief.").addUserMessage("Which rooms need lab coats?")
                .temperature(0.3).topP(0.9).maxCompletionTokens(200).seed(7L).stop("STOP").user("script-1")
                .build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().getFirst().message().content()).contains("Rooms B1 to B4.");
        assertThat(completion.choices().getFirst().finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo(model());
        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(21);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(6);

        JsonNode sent = provider.lastChat().body();
        assertThat(sent.path("model").asString()).isEqualTo("m");
        assertThat(sent.path("messages").get(0).path("role").asString()).isEqualTo("system");
        assertThat(sent.path("messages").get(1).path("content").toString()).contains("Which rooms need lab coats?");
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(sent.path("max_tokens").asInt() + sent.path("max_completion_tokens").asInt()).isEqualTo(200);
        assertThat(sent.path("seed").asLong()).isEqualTo(7);
        assertThat(sent.path("stop").toString()).contains("STOP");
        assertThat(provider.lastChat().headers().get("authorization")).isEqualTo("Bearer sk-upstream-0123456789abcdef");

        awaitUsage(user.id(), 27);
    }

    @Test
    void aStreamedCompletionArrivesInChunksAndEndsWithItsUsage() {
        provider.enqueue(FakeChatServer.Script.text("one two three four").inChunks(4).withUsage(9, 4));
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(model()).addUserMessage("Count to four.")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }

        assertThat(text.toString()).isEqualTo("one two three four");
        assertThat(chunks.size()).as("role chunk, 4 text chunks, the finish, the usage").isGreaterThanOrEqualTo(6);
        assertThat(chunks.getFirst().choices().getFirst().delta().role()).isPresent();
        ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
        assertThat(finish.choices().getFirst().finishReason()).hasValue(ChatCompletionChunk.Choice.FinishReason.STOP);
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().totalTokens()).isEqualTo(13);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.id()).isEqualTo(chunks.getFirst().id()));
    }

    @Test
    void aToolCallMakesTheRoundTripWithTheToolsResult() {
        provider.enqueue(FakeChatServer.Script.text("").withToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}"),
                FakeChatServer.Script.text("It is 4 degrees in Oslo."));
        ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").description("The weather in a city")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build()).build()).build();
        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder().model(model())
                .addUserMessage("Weather in Oslo?").addTool(tool)
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build();

        ChatCompletion called = client.chat().completions().create(first);

        assertThat(called.choices().getFirst().finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = called.choices().getFirst().message().toolCalls().orElseThrow()
                .getFirst().asFunction();
        assertThat(call.id()).isEqualTo("call_1");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Oslo\"}");
        JsonNode sentTools = provider.lastChat().body().path("tools");
        assertThat(sentTools.get(0).path("function").path("name").asString()).isEqualTo("get_weather");
        assertThat(sentTools.get(0).path("function").path("parameters").path("properties").has("city")).isTrue();
        assertThat(provider.lastChat().body().path("tool_choice").asString()).isEqualTo("required");

        ChatCompletion answered = client.chat().completions().create(first.toBuilder()
                .addMessage(called.choices().getFirst().message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_1").content("4 degrees")
                        .build()).build());

        assertThat(answered.choices().getFirst().message().content()).hasValue("It is 4 degrees in Oslo.");
        JsonNode messages = provider.lastChat().body().path("messages");
        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("tool_calls").get(0).path("id").asString()).isEqualTo("call_1");
        JsonNode toolResult = messages.get(2);
        assertThat(toolResult.path("role").asString()).isEqualTo("tool");
        assertThat(toolResult.path("tool_call_id").asString()).isEqualTo("call_1");
        assertThat(toolResult.path("content").toString()).contains("4 degrees");
    }

    @Test
    void aJsonSchemaIsPassedOnAsTheResponseFormat() {
        provider.enqueue(FakeChatServer.Script.text("{\"deadline\":\"2027-01-31\"}"));
        ResponseFormatJsonSchema format = ResponseFormatJsonSchema.builder().jsonSchema(
                ResponseFormatJsonSchema.JsonSchema.builder().name("grant").strict(true)
                        .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("deadline",
                                        Map.of("type", "string")))).build()).build()).build();

        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(model()).addUserMessage("When is the deadline?").responseFormat(format).build());

        assertThat(completion.choices().getFirst().message().content()).hasValue("{\"deadline\":\"2027-01-31\"}");
        JsonNode sent = provider.lastChat().body().path("response_format");
        assertThat(sent.path("type").asString()).isEqualTo("json_schema");
        assertThat(sent.path("json_schema").path("name").asString()).isEqualTo("grant");
        assertThat(sent.path("json_schema").path("schema").path("properties").has("deadline")).isTrue();
    }

    @Test
    void errorsReachTheSdkInOpenAisShapeWithAtriumsCodes() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(connection + "/unknown").addUserMessage("Hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.code()).hasValue("model_not_found");
                });
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(model()).addUserMessage("Hi").n(2).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.code()).hasValue("validation_failed");
                    assertThat(e.param()).hasValue("n");
                    assertThat(e.getMessage()).contains("only n=1 is supported");
                });
        assertThatThrownBy(() -> client("sk-not-a-key").models().list())
                .isInstanceOfSatisfying(UnauthorizedException.class,
                        e -> assertThat(e.code()).hasValue("invalid_credentials"));
        assertThat(provider.requests().stream().filter(r -> r.method().equals("POST")).count())
                .as("no call reached the provider").isZero();
    }

    @Test
    void embeddingsComeFromTheCallersOwnEmbeddingModelAsFloatsOrBase64() {
        Knowledge knowledge = new Knowledge(api);
        UUID group = users.group(admin, "emb");
        users.member(admin, group, user, "member");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-kn-secret-1234");

        CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("keywords-v1").inputOfArrayOfStrings(List.of("kiwi and more kiwi", "granite"))
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        // The SDK's own default (base64, decoded by the SDK) must give the same numbers.
        CreateEmbeddingResponse byDefault = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("fake/keywords-v1").inputOfArrayOfStrings(List.of("kiwi and more kiwi", "granite")).build());

        assertThat(floats.data()).hasSize(2);
        List<Float> kiwi = floats.data().get(0).embedding();
        List<Float> granite = floats.data().get(1).embedding();
        assertThat(kiwi).hasSize(8);
        assertThat(kiwi.indexOf(java.util.Collections.max(kiwi))).as("the kiwi dimension").isZero();
        assertThat(granite.indexOf(java.util.Collections.max(granite))).as("the granite dimension").isEqualTo(4);
        assertThat(byDefault.data().get(0).embedding()).isEqualTo(kiwi);
        assertThat(byDefault.data().get(1).embedding()).isEqualTo(granite);
        assertThat(floats.usage().promptTokens()).isPositive();
        assertThat(floats.model()).isEqualTo("keywords-v1");

        Api.Response base64 = api.post("/v1/embeddings", Map.of("model", "keywords-v1", "input", "kiwi",
                "encoding_format", "base64"), user.token());
        assertThat(base64.header("Server-Timing")).startsWith("atrium;dur=").contains("upstream;dur=");
        byte[] bytes = java.util.Base64.getDecoder().decode(base64.json().path("data").get(0).path("embedding")
                .asString());
        assertThat(bytes).hasSize(8 * Float.BYTES);
        float first = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0);
        assertThat(first).isPositive();

        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-large").input("kiwi").build()))
                .isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertThat(e.code()).hasValue("model_not_found"));
        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder()
                .model("keywords-v1").input("kiwi").dimensions(3).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.param()).hasValue("dimensions"));
        Api.Response blank = api.post("/v1/embeddings", Map.of("model", "keywords-v1", "input", List.of("kiwi", " ")),
                user.token());
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.json().path("error").path("param").asString()).isEqualTo("input");
    }

    private void awaitUsage(UUID userId, long tokens) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long recorded = 0;
        while (System.nanoTime() < deadline) {
            recorded = jdbc.sql("select coalesce(sum(input_tokens + output_tokens), 0) from usage_hourly"
                    + " where user_id = ?").param(userId).query(Long.class).single();
            if (recorded >= tokens) {
                break;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(recorded).as("tokens recorded for the user").isEqualTo(tokens);
    }
}
