package org.atrium.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's own files as tests that hold documentation and code in step read them: the main sources, docs, web
 * templates. Paths are relative to the project directory, where the build runs the tests.
 */
public final class ProjectFiles {

    /** The root of Atrium's main Java sources. */
    public static final Path MAIN_SOURCES = Path.of("src/main/java/org/atrium");

    private ProjectFiles() {
    }

    /**
     * @param file a file of the project
     * @return its text (UTF-8)
     */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /**
     * @param directory a directory of the project
     * @return every regular file under it, sorted; none when the directory does not exist
     */
    public static List<Path> files(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /** @return every Java source file of the main sources, sorted */
    public static List<Path> mainJavaSources() {
        return files(MAIN_SOURCES).stream().filter(file -> file.toString().endsWith(".java")).toList();
    }

    /**
     * @param pattern a pattern with at least one group
     * @param text    the text searched
     * @return the first group of every match, sorted, each once
     */
    public static Set<String> groups(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
