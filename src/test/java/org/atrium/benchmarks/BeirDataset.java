package org.atrium.benchmarks;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A retrieval dataset in BEIR's layout, as its published archives unpack: {@code corpus.jsonl} (one
 * {@code {"_id", "title", "text"}} object a line), {@code queries.jsonl} ({@code {"_id", "text"}}) and
 * {@code qrels/<split>.tsv} (a header line, then {@code query-id, corpus-id, score} separated by tabs).
 *
 * @param name      the directory's name, for example {@code scifact}
 * @param documents the corpus in file order
 * @param queries   the split's queries that have judgements, in {@code queries.jsonl} order, by id
 * @param qrels     graded judgements: query id → document id → relevance (0 means judged not relevant)
 */
record BeirDataset(String name, List<Document> documents, Map<String, String> queries,
                   Map<String, Map<String, Integer>> qrels) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One corpus document. */
    record Document(String id, String title, String text) {

        /** What is uploaded: the title, a blank line, then the text (only the text when there is no title). */
        String content() {
            return title.isBlank() ? text : title + "\n\n" + text;
        }
    }

    /**
     * Reads a dataset. As BEIR's own loader does, only queries with at least one judgement in the split are kept.
     *
     * @param directory the unpacked dataset
     * @param split     the qrels file's name without {@code .tsv}, normally {@code test}
     */
    static BeirDataset read(Path directory, String split) {
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        List<String> lines = lines(directory.resolve("qrels").resolve(split + ".tsv"));
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] columns = line.split("\t");
            if (columns.length != 3) {
                throw new IllegalArgumentException("qrels line is not 'query-id, corpus-id, score': " + line);
            }
            qrels.computeIfAbsent(columns[0], id -> new HashMap<>()).put(columns[1],
                    Integer.parseInt(columns[2].trim()));
        }
        Map<String, String> queries = new LinkedHashMap<>();
        for (String line : lines(directory.resolve("queries.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode query = JSON.readTree(line);
                String id = query.path("_id").asString();
                if (qrels.containsKey(id)) {
                    queries.put(id, query.path("text").asString());
                }
            }
        }
        if (queries.size() != qrels.size()) {
            throw new IllegalArgumentException((qrels.size() - queries.size()) + " judged queries are missing from "
                    + "queries.jsonl");
        }
        List<Document> documents = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(directory.resolve("corpus.jsonl"),
                StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    JsonNode document = JSON.readTree(line);
                    documents.add(new Document(document.path("_id").asString(), document.path("title").asString(""),
                            document.path("text").asString("")));
                }
            }
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
        return new BeirDataset(directory.toAbsolutePath().normalize().getFileName().toString(),
                List.copyOf(documents), queries, qrels);
    }

    /** How many judgements with relevance above 0 the split has. */
    long relevantJudgements() {
        return qrels.values().stream().flatMap(judged -> judged.values().stream()).filter(grade -> grade > 0)
                .count();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }
}
