package org.atrium.platform.internal;

import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** NUL and unpaired surrogates are refused wherever a body carries a string: map keys and JSON trees included. */
class JsonInputConfigurationTest {

    /** A request type with an untyped tree, as settings values are. */
    record Holder(JsonNode value) {
    }

    private final JsonMapper mapper = mapper();

    @Test
    void mapKeysAreChecked() {
        assertThatThrownBy(() -> mapper.readValue("{\"a\\u0000b\": 1}", new TypeReference<Map<String, Integer>>() {
        })).isInstanceOf(JsonInputConfiguration.UnsafeTextException.class);
    }

    @Test
    void stringsAndPropertyNamesOfJsonTreesAreChecked() {
        assertThatThrownBy(() -> mapper.readValue("{\"value\": [\"\\ud800\"]}", Holder.class))
                .isInstanceOf(JsonInputConfiguration.UnsafeTextException.class);
        assertThatThrownBy(() -> mapper.readValue("{\"value\": {\"\\u0000\": true}}", Holder.class))
                .isInstanceOf(JsonInputConfiguration.UnsafeTextException.class);
        assertThatThrownBy(() -> mapper.readValue("{\"nested\": {\"deeper\": \"a\\u0000\"}}", JsonNode.class))
                .isInstanceOf(JsonInputConfiguration.UnsafeTextException.class);
    }

    @Test
    void cleanTreesAndNullsReadAsBefore() {
        assertThat(mapper.readValue("{\"value\": {\"k\": [\"fine\", 1]}}", Holder.class).value()
                .path("k").get(0).asString()).isEqualTo("fine");
        JsonNode absent = mapper.readValue("{\"value\": null}", Holder.class).value();
        assertThat(absent).isNotNull();
        assertThat(absent.isNull()).as("JSON null is a null node, as settings expect").isTrue();
        assertThat(mapper.readValue("{\"k\": 1}", new TypeReference<Map<String, Integer>>() {
        })).containsEntry("k", 1);
    }

    private static JsonMapper mapper() {
        JsonMapper.Builder builder = JsonMapper.builder();
        new JsonInputConfiguration().checkedStrings().customize(builder);
        return builder.build();
    }
}
