package org.atrium.settings;

import org.atrium.testing.ProjectFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.testing.ProjectFiles.files;
import static org.atrium.testing.ProjectFiles.read;

/**
 * Keeps the key table of {@code docs/settings.md} ("Keys") and {@link SettingKey} in step: every key has exactly one
 * row and every row is a key, and a row carries the mark {@value #MARK} exactly when no feature reads its key yet.
 * No Spring context: the sources are read as text.
 *
 * <p>A feature reads a key when a Java source under {@code src/main/java} other than {@code SettingKey.java} names
 * its constant ({@code SettingKey.SYSTEM_PROMPT}, also in a static import), or when the web interface's templates or
 * assets ({@code src/main/jte}, {@code src/main/resources/static}) hold the key itself. The settings machinery
 * (storing, checking, merging) handles every key alike through {@code SettingKey.values()} and so never counts.
 * A key looked up by its string ({@code SettingKey.of("defaultModel")}) would not be seen; nothing does that but the
 * settings API, which takes keys from requests.
 */
class SettingKeyDocumentationTest {

    private static final Path PAGE = Path.of("docs/settings.md");
    private static final String SECTION = "## Keys";
    private static final String MARK = "(stored, not used yet)";
    private static final List<Path> WEB_INTERFACE = List.of(Path.of("src/main/jte"),
            Path.of("src/main/resources/static"));

    /** A row of the key table: the key in backticks, then the mark or nothing, in the first cell. */
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z.]+)`(.*?)\\|");

    @Test
    void everyKeyHasOneRowAndEveryRowIsAKey() {
        Map<String, Boolean> rows = rows();
        Set<String> keys = Arrays.stream(SettingKey.values()).map(SettingKey::key)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(rows.keySet()).as(PAGE + " (" + SECTION + "): its rows against SettingKey's keys")
                .containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void aKeyIsMarkedStoredNotUsedYetExactlyWhenNoFeatureReadsIt() {
        Set<SettingKey> read = readByAFeature();
        assertThat(read).as("the extraction must find the keys everyone knows are read; if not, the patterns broke")
                .contains(SettingKey.SYSTEM_PROMPT, SettingKey.ALLOWED_MODELS, SettingKey.UPLOAD_FILES,
                        SettingKey.EMBEDDING_MODEL);
        Map<String, Boolean> marked = rows();
        List<String> wrong = new ArrayList<>();
        for (SettingKey key : SettingKey.values()) {
            boolean isMarked = marked.getOrDefault(key.key(), false);
            if (read.contains(key) && isMarked) {
                wrong.add(key.key() + " is marked " + MARK + ", but a feature reads it; remove the mark");
            } else if (!read.contains(key) && !isMarked) {
                wrong.add(key.key() + " is read by no feature (nothing names SettingKey." + key.name()
                        + "); mark its row " + MARK + " and say so where the docs describe it");
            }
        }
        assertThat(wrong).as(PAGE + " (" + SECTION + ")").isEmpty();
    }

    /** The keys some feature reads, by the rule in the class comment. */
    private static Set<SettingKey> readByAFeature() {
        StringBuilder java = new StringBuilder();
        ProjectFiles.mainJavaSources().stream()
                .filter(file -> !file.getFileName().toString().equals("SettingKey.java"))
                .forEach(file -> java.append(read(file)).append('\n'));
        StringBuilder web = new StringBuilder();
        WEB_INTERFACE.forEach(directory -> files(directory).stream().filter(SettingKeyDocumentationTest::isText)
                .forEach(file -> web.append(read(file)).append('\n')));
        Set<SettingKey> read = EnumSet.noneOf(SettingKey.class);
        for (SettingKey key : SettingKey.values()) {
            boolean named = Pattern.compile("\\bSettingKey\\." + key.name() + "\\b").matcher(java).find();
            if (named || web.indexOf(key.key()) >= 0) {
                read.add(key);
            }
        }
        return read;
    }

    /** The keys of the section's table, each with whether its row carries the mark. */
    private static Map<String, Boolean> rows() {
        List<String> lines = read(PAGE).lines().toList();
        int start = lines.indexOf(SECTION);
        assertThat(start).as(PAGE + " must have the section '" + SECTION + "'").isNotNegative();
        Map<String, Boolean> rows = new TreeMap<>();
        List<String> twice = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (row.find() && rows.put(row.group(1), row.group(2).contains(MARK)) != null) {
                twice.add(row.group(1));
            }
        }
        assertThat(twice).as("keys with more than one row in " + PAGE).isEmpty();
        return rows;
    }

    private static boolean isText(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jte") || name.endsWith(".js") || name.endsWith(".html");
    }
}
