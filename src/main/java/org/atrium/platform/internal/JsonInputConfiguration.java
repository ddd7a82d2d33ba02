package org.atrium.platform.internal;

import org.atrium.platform.UntrustedText;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.deser.jackson.BaseNodeDeserializer;
import tools.jackson.databind.deser.jackson.JsonNodeDeserializer;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

import java.util.Map;
import java.util.Optional;

/**
 * The JSON mapper Spring MVC reads request bodies with, built with limits on what one document may contain (nesting,
 * number and string lengths; the body size itself is bounded earlier by {@link RequestBodyLimitFilter}) and with a
 * check that refuses NUL and unpaired surrogates ({@link UntrustedText}) in every string a body can carry: values
 * read as {@code String} (typed fields, and the values of untyped {@code Object} trees), keys of
 * {@code Map<String, ...>}, and every value and property name of a {@code JsonNode} tree. Not checked: the keys of
 * an untyped {@code Map<Object, Object>} (Jackson reads those without a key deserializer); no request type has one.
 */
@Configuration(proxyBeanMethods = false)
class JsonInputConfiguration {

    /** Deeper documents are refused; no request of the API nests more than a few levels. */
    static final int MAX_NESTING_DEPTH = 32;
    /** Longer numbers (in characters) are refused; no quantity of the API needs more than 19 digits. */
    static final int MAX_NUMBER_LENGTH = 100;
    /** Longer strings are refused, whatever the body limit; the longest field of the API is far shorter. */
    static final int MAX_STRING_LENGTH = 1_000_000;
    /** Longer property names are refused. */
    static final int MAX_NAME_LENGTH = 1_000;

    /**
     * Replaces Boot's builder so that the stream factory carries the read constraints (they belong to the factory,
     * which a customizer cannot replace); Boot's and every module's customizers are still applied, in order.
     */
    @Bean
    @Scope("prototype")
    JsonMapper.Builder constrainedJsonMapperBuilder(ObjectProvider<JsonMapperBuilderCustomizer> customizers) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxNameLength(MAX_NAME_LENGTH)
                        .build())
                .build();
        JsonMapper.Builder builder = JsonMapper.builder(factory);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder;
    }

    @Bean
    JsonMapperBuilderCustomizer checkedStrings() {
        return builder -> builder.addModule(new SimpleModule("atrium-checked-strings")
                .addDeserializer(String.class, new CheckedStringDeserializer())
                .addKeyDeserializer(String.class, new CheckedKeyDeserializer())
                .addDeserializer(JsonNode.class, new CheckedNodeDeserializer()));
    }

    private static String checked(String value, JsonParser parser) {
        Optional<String> problem = UntrustedText.problem(value);
        if (problem.isPresent()) {
            throw new UnsafeTextException(parser, problem.get());
        }
        return value;
    }

    /** Map keys read as strings, checked like string values. */
    static final class CheckedKeyDeserializer extends KeyDeserializer {

        @Override
        public Object deserializeKey(String key, DeserializationContext context) throws JacksonException {
            return checked(key, context.getParser());
        }
    }

    /** Reads a tree like Jackson does, then checks each of its strings and property names. */
    static final class CheckedNodeDeserializer extends JsonNodeDeserializer {

        CheckedNodeDeserializer() {
        }

        private CheckedNodeDeserializer(CheckedNodeDeserializer base, boolean mergeArrays, boolean mergeObjects) {
            super(base, mergeArrays, mergeObjects);
        }

        @Override
        protected BaseNodeDeserializer<?> _createWithMerge(boolean mergeArrays, boolean mergeObjects) {
            return new CheckedNodeDeserializer(this, mergeArrays, mergeObjects);
        }

        @Override
        public JsonNode deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
            JsonNode tree = super.deserialize(parser, context);
            check(tree, parser);
            return tree;
        }

        /** Recursion is bounded by {@link #MAX_NESTING_DEPTH}, which the parser enforced while reading the tree. */
        private static void check(JsonNode node, JsonParser parser) {
            if (node.isString()) {
                checked(node.asString(), parser);
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> property : node.properties()) {
                    checked(property.getKey(), parser);
                    check(property.getValue(), parser);
                }
            } else if (node.isArray()) {
                for (JsonNode item : node.values()) {
                    check(item, parser);
                }
            }
        }
    }

    /** Reads strings like Jackson does, then refuses those {@link UntrustedText} finds unstorable. */
    static final class CheckedStringDeserializer extends StdScalarDeserializer<String> {

        CheckedStringDeserializer() {
            super(String.class);
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Textual;
        }

        @Override
        public Object getEmptyValue(DeserializationContext context) {
            return "";
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
            String value = StringDeserializer.instance.deserialize(parser, context);
            return value == null ? null : checked(value, parser);
        }
    }

    /** A string that cannot be stored; Jackson adds the path of the field it was read for. */
    static final class UnsafeTextException extends MismatchedInputException {

        UnsafeTextException(JsonParser parser, String message) {
            super(parser, message, String.class);
        }

        /** @return the reason, without the location Jackson appends to the message */
        String reason() {
            return getOriginalMessage();
        }
    }
}
