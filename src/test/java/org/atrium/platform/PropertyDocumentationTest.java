package org.atrium.platform;

import org.atrium.testing.ProjectFiles;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.testing.ProjectFiles.groups;
import static org.atrium.testing.ProjectFiles.read;

/**
 * Keeps the documentation of Atrium's {@code atrium.*} properties and the configuration metadata in step. The
 * metadata is what {@code spring-boot-configuration-processor} writes at compile time
 * ({@code META-INF/spring-configuration-metadata.json}, read from the class path): every property of every
 * {@code @ConfigurationProperties} record with its type and its {@code @DefaultValue}, plus the properties read with
 * {@code @Value} that {@code src/main/resources/META-INF/additional-spring-configuration-metadata.json} declares.
 * No Spring context.
 *
 * <p><b>Where a property is documented</b>: a row of a property table, a table whose header is
 * {@value #TABLE_HEADER}. README's section {@value #SECTION} holds one; a docs page may hold more (docs/chat.md lists
 * the chat properties). The rules:
 * <ul>
 *   <li>every property in the metadata is named in README's table, or in a property table of a {@code docs/*.md} page
 *       that README's section links to;</li>
 *   <li>every property a property table names (README or any docs page) exists in the metadata, except test-only
 *       ones ({@value #TEST_ONLY}*), which must be read by {@code src/main/java} instead;</li>
 *   <li>every default a property table gives equals the metadata's, compared by type: durations ({@code PT5S} is
 *       {@code 5s}), data sizes ({@code 1MB} is {@code 1024KB}), numbers, booleans, and enums ignoring case and
 *       {@code -}/{@code _}. A property the metadata has no default for may show one the code computes at startup
 *       ({@code <data-dir>/files}); that one cannot be checked here;</li>
 *   <li>every {@code atrium.*} property the code reads by name ({@code ${atrium.x}}, {@code getProperty("atrium.x")},
 *       {@code @ConditionalOnProperty}) is in the metadata, so that the rules above see every property: a new
 *       {@code @Value} needs an entry in the additional metadata.</li>
 * </ul>
 *
 * <p><b>How a row names properties</b>: its first cell holds one or more names in backticks. A name that does not
 * start with {@code atrium.} is a sibling of the name before it ({@code `atrium.usage.flush-size`, `max-buffered`}).
 * A map's entries are named with a placeholder segment ({@code atrium.secrets.keys.<id>}), which documents the
 * map-valued property before it. The default cell holds one value in backticks per name, in the same order, or none
 * at all when no name has a default ("none", "AWS default chain"); with a single name, its first value in backticks
 * is its default and the words around it may qualify it.
 */
class PropertyDocumentationTest {

    private static final String METADATA = "META-INF/spring-configuration-metadata.json";
    private static final Path README = Path.of("README.md");
    private static final Path DOCS = Path.of("docs");
    private static final String SECTION = "### Every `atrium.*` property";
    private static final String TABLE_HEADER = "| property | default | meaning |";
    private static final String TEST_ONLY = "atrium.testing.";

    /** Properties the code reads by name that are not configuration, with why. */
    private static final Map<String, String> NOT_CONFIGURATION = Map.of(
            "atrium.mode", "derived at startup by DeploymentModeEnvironment from whether Redis is configured");

    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern NAME = Pattern.compile("[a-z0-9<>][a-z0-9<>.-]*");
    private static final Pattern LINKED_PAGE = Pattern.compile("\\]\\((docs/[\\w-]+\\.md)(?:#[^)]*)?\\)");
    private static final List<Pattern> READ_BY_NAME = List.of(
            Pattern.compile("\\$\\{(atrium\\.[a-z0-9.-]+)[:}]"),
            Pattern.compile("getProperty\\(\\s*\"(atrium\\.[a-z0-9.-]+)\""),
            Pattern.compile("@ConditionalOnProperty\\([^)]*\"(atrium\\.[a-z0-9.-]+)\""),
            Pattern.compile("(?:\\b|_)PROPERTY\\s*=\\s*\"(atrium\\.[a-z0-9.-]+)\""));

    /** One property of the metadata: its type and its default as the metadata writes it (null: none). */
    private record Property(String name, String type, String defaultValue) {
    }

    /** One row of a property table: where it is, the names it documents and its default cell. */
    private record Row(String where, List<String> names, String defaults) {
    }

    @Test
    void everyPropertyInTheMetadataIsDocumented() {
        Map<String, Property> metadata = metadata();
        Set<String> documented = new TreeSet<>();
        readmeRows().forEach(row -> documented.addAll(row.names()));
        for (Path page : pagesReadmeLinks()) {
            rows(page).forEach(row -> documented.addAll(row.names()));
        }
        List<String> undocumented = new ArrayList<>();
        for (Property property : metadata.values()) {
            boolean named = documented.contains(property.name())
                    || isMap(property) && documented.stream().anyMatch(n -> n.startsWith(property.name() + ".<"));
            if (!named) {
                undocumented.add(property.name() + " (" + property.type() + ", default "
                        + (property.defaultValue() == null ? "none" : property.defaultValue()) + ")");
            }
        }
        assertThat(undocumented).as("properties in the configuration metadata that neither README's table ("
                + SECTION + ") nor a property table of a docs page it links to names; add a row with default and"
                + " meaning").isEmpty();
    }

    @Test
    void everyDocumentedPropertyExists() {
        Map<String, Property> metadata = metadata();
        String sources = sources();
        List<String> unknown = new ArrayList<>();
        for (Row row : allRows()) {
            for (String name : row.names()) {
                if (!exists(name, metadata, sources)) {
                    unknown.add(name + " (" + row.where() + ")");
                }
            }
        }
        assertThat(unknown).as("documented properties that are not in the configuration metadata (test-only ones, "
                + TEST_ONLY + "*, that src/main/java does not read); fix the name or remove the row").isEmpty();
    }

    @Test
    void everyDocumentedDefaultIsTheMetadataDefault() {
        Map<String, Property> metadata = metadata();
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (Row row : allRows()) {
            List<String> values = backticked(row.defaults());
            int names = row.names().size();
            if (names > 1 && !values.isEmpty() && values.size() != names) {
                wrong.add(row.where() + ": " + names + " names but " + values.size() + " defaults in '"
                        + row.defaults() + "'; give one per name, in the same order");
                continue;
            }
            for (int i = 0; i < names; i++) {
                Property property = metadata.get(row.names().get(i));
                if (property == null) {
                    continue; // a placeholder or test-only name; existence is checked by everyDocumentedPropertyExists
                }
                String documented = values.isEmpty() ? null : values.get(names > 1 ? i : 0);
                if (property.defaultValue() == null) {
                    continue; // none, or one the code computes at startup: nothing to compare with
                }
                compared++;
                if (documented == null) {
                    wrong.add(property.name() + " (" + row.where() + "): documented without a default, metadata says "
                            + property.defaultValue());
                } else if (!same(property, documented)) {
                    wrong.add(property.name() + " (" + row.where() + "): documented " + documented
                            + ", metadata says " + property.defaultValue());
                }
            }
        }
        assertThat(compared).as("defaults compared; far fewer means the tables were not found").isGreaterThan(80);
        assertThat(wrong).as("documented defaults that differ from the code's (@DefaultValue); the code is right"
                + " unless you are changing it").isEmpty();
    }

    @Test
    void everyPropertyTheCodeReadsByNameIsInTheMetadata() {
        Map<String, Property> metadata = metadata();
        Set<String> read = new TreeSet<>();
        READ_BY_NAME.forEach(pattern -> read.addAll(groups(pattern, sources())));
        assertThat(read).as("the extraction must find the names everyone knows; if not, the patterns broke")
                .contains("atrium.metrics.token", "atrium.public-url", "atrium.log.json", "atrium.mode");
        Set<String> missing = new TreeSet<>(read);
        missing.removeAll(metadata.keySet());
        missing.removeAll(NOT_CONFIGURATION.keySet());
        missing.removeIf(name -> name.startsWith(TEST_ONLY));
        assertThat(missing).as("properties src/main/java reads by name that the configuration metadata lacks; declare"
                + " them in src/main/resources/META-INF/additional-spring-configuration-metadata.json").isEmpty();
        assertThat(NOT_CONFIGURATION.keySet()).as("NOT_CONFIGURATION names properties the code no longer reads")
                .allMatch(read::contains);
    }

    // ---------------------------------------------------------------- the metadata

    /** The {@code atrium.*} properties of every metadata file on the class path (Spring Boot's jars have theirs). */
    private static Map<String, Property> metadata() {
        Map<String, Property> properties = new TreeMap<>();
        JsonMapper json = JsonMapper.builder().build();
        try {
            for (URL resource : Collections.list(PropertyDocumentationTest.class.getClassLoader()
                    .getResources(METADATA))) {
                try (InputStream in = resource.openStream()) {
                    for (JsonNode property : json.readTree(in).path("properties")) {
                        String name = property.path("name").asString();
                        if (name.startsWith("atrium.")) {
                            JsonNode value = property.path("defaultValue");
                            String defaultValue = value.isMissingNode() || value.isNull() ? null
                                    : value.isString() ? value.asString() : value.toString();
                            properties.put(name, new Property(name, property.path("type").asString(), defaultValue));
                        }
                    }
                }
            }
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
        assertThat(properties).as("atrium.* properties in " + METADATA + " on the class path; none means"
                + " spring-boot-configuration-processor did not run (pom.xml, annotationProcessorPaths)")
                .containsKeys("atrium.data-dir", "atrium.knowledge.hnsw-ef-search", "atrium.metrics.token");
        return properties;
    }

    private static boolean isMap(Property property) {
        return property.type().startsWith("java.util.Map<");
    }

    private static boolean exists(String name, Map<String, Property> metadata, String sources) {
        if (metadata.containsKey(name)) {
            return true;
        }
        int placeholder = name.indexOf(".<");
        if (placeholder > 0) {
            Property map = metadata.get(name.substring(0, placeholder));
            return map != null && isMap(map);
        }
        return name.startsWith(TEST_ONLY) && sources.contains("${" + name);
    }

    /** Whether a documented default is the metadata's, compared as the property's type compares. */
    private static boolean same(Property property, String documented) {
        String expected = property.defaultValue();
        try {
            return switch (property.type()) {
                case "java.time.Duration" ->
                        DurationStyle.detectAndParse(expected).equals(DurationStyle.detectAndParse(documented));
                case "org.springframework.util.unit.DataSize" ->
                        DataSize.parse(expected).equals(DataSize.parse(documented));
                case "java.lang.Integer", "java.lang.Long" -> Long.parseLong(expected) == Long.parseLong(documented);
                case "java.lang.Boolean" -> expected.equalsIgnoreCase(documented);
                case "java.util.List<java.lang.String>" -> elements(expected).equals(elements(documented));
                default -> isEnum(property.type()) ? constant(expected).equals(constant(documented))
                        : expected.equals(documented);
            };
        } catch (IllegalArgumentException unparsable) {
            return false;
        }
    }

    /** A list's elements, written as JSON or as a comma-separated list. */
    private static List<String> elements(String list) {
        return Arrays.stream(list.replaceAll("^\\[|]$", "").split(",")).map(e -> e.strip().replace("\"", ""))
                .toList();
    }

    private static boolean isEnum(String type) {
        try {
            return Class.forName(type, false, PropertyDocumentationTest.class.getClassLoader()).isEnum();
        } catch (ClassNotFoundException notAClass) {
            return false;
        }
    }

    private static String constant(String value) {
        return value.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    // ---------------------------------------------------------------- the documentation

    /** The rows of README's section and of every property table under {@code docs/}. */
    private static List<Row> allRows() {
        List<Row> rows = new ArrayList<>(readmeRows());
        try (Stream<Path> pages = Files.list(DOCS)) {
            pages.filter(page -> page.toString().endsWith(".md")).sorted().forEach(page -> rows.addAll(rows(page)));
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
        return rows;
    }

    private static List<Row> readmeRows() {
        List<String> lines = read(README).lines().toList();
        int start = sectionStart(lines);
        List<Row> rows = tableRows(README, lines.subList(start, sectionEnd(lines, start)), start);
        assertThat(rows).as("rows of the property table in " + README + " (" + SECTION + ")").hasSizeGreaterThan(50);
        return rows;
    }

    /** The docs pages README's section links to. */
    private static Set<Path> pagesReadmeLinks() {
        Set<Path> pages = new LinkedHashSet<>();
        List<String> lines = read(README).lines().toList();
        int start = sectionStart(lines);
        lines.subList(start, sectionEnd(lines, start))
                .forEach(line -> groups(LINKED_PAGE, line).forEach(page -> pages.add(Path.of(page))));
        return pages;
    }

    /** @return the index of README's section heading */
    private static int sectionStart(List<String> lines) {
        int start = lines.indexOf(SECTION);
        assertThat(start).as(README + " must have the section '" + SECTION + "'").isNotNegative();
        return start;
    }

    /** @return the index of the next heading of the same or a higher level, or the end */
    private static int sectionEnd(List<String> lines, int start) {
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("## ") && !lines.get(end).startsWith("### ")) {
            end++;
        }
        return end;
    }

    private static List<Row> rows(Path page) {
        return tableRows(page, read(page).lines().toList(), 0);
    }

    /**
     * The rows of every property table in these lines: from the header's separator to the first non-table line.
     * {@code offset} is the index of the first of these lines in the file, for the line numbers in messages.
     */
    private static List<Row> tableRows(Path file, List<String> lines, int offset) {
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.equals(TABLE_HEADER)) {
                inTable = true;
                i++; // the |---| separator
                continue;
            }
            if (!line.startsWith("|")) {
                inTable = false;
            }
            if (inTable) {
                rows.add(row(file + ":" + (offset + i + 1), line));
            }
        }
        return rows;
    }

    private static Row row(String where, String line) {
        String[] cells = line.split("(?<!\\\\)\\|");
        assertThat(cells.length).as(where + ": a property table row has three cells").isGreaterThanOrEqualTo(4);
        List<String> names = new ArrayList<>();
        String previous = null;
        for (String token : backticked(cells[1])) {
            assertThat(token).as(where + ": a property name").matches(NAME);
            if (!token.startsWith("atrium.")) {
                assertThat(previous).as(where + ": '" + token + "' follows no full name").isNotNull();
                token = previous.substring(0, previous.lastIndexOf('.') + 1) + token;
            }
            names.add(token);
            previous = token;
        }
        assertThat(names).as(where + ": names in its first cell").isNotEmpty();
        return new Row(where, names, cells[2].strip());
    }

    private static List<String> backticked(String cell) {
        List<String> values = new ArrayList<>();
        Matcher matcher = BACKTICKED.matcher(cell);
        while (matcher.find()) {
            values.add(matcher.group(1));
        }
        return values;
    }

    // ---------------------------------------------------------------- helpers

    /** Every Java source under {@code src/main/java}, concatenated. */
    private static String sources() {
        StringBuilder text = new StringBuilder();
        ProjectFiles.mainJavaSources().forEach(file -> text.append(read(file)));
        return text.toString();
    }
}
