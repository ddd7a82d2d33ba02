package org.atrium.platform;

import org.atrium.testing.ProjectFiles;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.atrium.testing.ProjectFiles.MAIN_SOURCES;
import static org.atrium.testing.ProjectFiles.groups;
import static org.atrium.testing.ProjectFiles.read;

/**
 * Keeps the two catalogues of {@code docs/PRODUCTION.md} ("Catalogue of problem codes", "Catalogue of ingestion
 * failure codes") and the code in step, in both directions: every code the sources can produce has a row, and every
 * row names a code the sources still produce. No Spring context: the Java sources under {@code src/main/java} are
 * read as text.
 *
 * <p><b>Problem codes</b> are read from these patterns, the ways the code base sets a problem's {@code code}:
 * <ul>
 *   <li>{@code AtriumException.notFound|forbidden|conflict|badRequest|tooManyRequests("code", ...)};</li>
 *   <li>{@code AtriumException.invalidField(...)}, which always answers {@code validation_failed};</li>
 *   <li>{@code new AtriumException(HttpStatus.X, "code", ...)} and, in classes that extend {@code AtriumException},
 *       {@code super(HttpStatus.X, "code", ...)};</li>
 *   <li>{@code Problems.write(response, HttpStatus.X, "code", ...)} and {@code Problems.of(HttpStatus.X, "code",
 *       ...)}, and {@code ClientInputProblems}' helper {@code problem(HttpStatus.X, "code", ...)};</li>
 *   <li>{@code new ProviderFailure("code", ...)} (today every site passes a constant instead, see below);</li>
 *   <li>the string literals in the body of each {@code codeFor} method of {@code platform.internal} (the switches that
 *       map Spring MVC exceptions and container error statuses to codes).</li>
 * </ul>
 * <b>Ingestion failure codes</b> (a file index's {@code failureCode}) are read from {@code new PermanentFailure("code",
 * ...)} in the knowledge module, the literals of the statement in {@code KnowledgeJobsConfiguration} that picks the
 * code of a job that failed for good, and {@code IngestionStatus.FAILED, "code"} where an index is created failed.
 *
 * <p><b>Statuses</b>: for every literal site that names its status ({@code HttpStatus.X}, or a factory whose name
 * implies it, or {@code new ProviderFailure(ProviderFailure.X, HttpStatus.Y, ...)}), the catalogue row's status
 * column must contain that status. Statuses of other computed codes (a provider's error inside a stream, the
 * {@code codeFor} switches, the embedding and extraction codes at 409 and 422) are not compared.
 *
 * <p><b>Codes computed at run time</b> cannot be read at their call site. Each such site is found by the same
 * patterns with a non-literal argument, and must be listed in {@link #COMPUTED} with where its values come from (an
 * argument {@code ProviderFailure.X} counts as listed: it names one of that class's constants); a new computed site
 * that is not listed fails the test, so nothing escapes the catalogue unseen. The sources are:
 * the constants of {@code ProviderFailure} (every one is a code a provider call may fail with) and of
 * {@code ExtractionException}, the codes of {@code new Unavailable(space, "code", ...)} in {@code EmbeddingTargets},
 * {@code TransactionRetry.CONFLICT_CODE}, and the {@code codeFor} switches. Sites that only pass on a code chosen
 * elsewhere (the factories of {@code AtriumException} itself, the advice rendering {@code failure.code()}) add
 * nothing.
 *
 * <p><b>Limits</b>: the sources are read as text, comments included, and an argument is taken up to the next comma.
 * A code produced without any of the calls above (a problem detail built by hand and given a {@code code} property
 * without {@link Problems}) would not be seen; every problem in the code base goes through {@link Problems} or
 * {@link AtriumException} today.
 */
class ProblemCodeCatalogueTest {

    private static final Path CATALOGUE = Path.of("docs/PRODUCTION.md");
    private static final String PROBLEMS_SECTION = "## Catalogue of problem codes";
    private static final String INGESTION_SECTION = "## Catalogue of ingestion failure codes";

    private static final String CODE = "\"([a-z][a-z0-9_]*)\"";
    /** A code argument that is not a string literal: the expression up to the next comma. */
    private static final String COMPUTED_ARGUMENT = "([^,\"\\s][^,]*?)\\s*,";

    private static final List<Pattern> PROBLEM_LITERALS = List.of(
            Pattern.compile("AtriumException\\s*\\.\\s*(?:notFound|forbidden|conflict|badRequest|tooManyRequests)"
                    + "\\(\\s*" + CODE),
            Pattern.compile("new\\s+AtriumException\\(\\s*[\\w.]*HttpStatus\\.\\w+\\s*,\\s*" + CODE),
            Pattern.compile("\\bProblems\\.(?:write|of)\\(\\s*(?:response\\s*,\\s*)?HttpStatus\\.\\w+\\s*,\\s*" + CODE),
            Pattern.compile("\\bproblem\\(\\s*HttpStatus\\.\\w+\\s*,\\s*" + CODE),
            Pattern.compile("new\\s+ProviderFailure\\(\\s*" + CODE));
    private static final Pattern SUBCLASS_LITERAL = Pattern.compile("super\\(\\s*HttpStatus\\.\\w+\\s*,\\s*" + CODE);
    private static final Pattern INVALID_FIELD = Pattern.compile("AtriumException\\s*\\.\\s*invalidField\\(");

    /** Literal sites that name their status as a constant of {@code HttpStatus}: (status, code). */
    private static final Pattern STATUS_AND_CODE = Pattern.compile("(?:new\\s+AtriumException\\("
            + "|\\bProblems\\.(?:write|of)\\(\\s*(?:response\\s*,\\s*)?|\\bproblem\\(|super\\()"
            + "\\s*[\\w.]*HttpStatus\\.(\\w+)\\s*,\\s*" + CODE);
    /** The factories of {@code AtriumException}, whose name implies the status: (factory, code). */
    private static final Pattern FACTORY_AND_CODE = Pattern.compile(
            "AtriumException\\s*\\.\\s*(notFound|forbidden|conflict|badRequest|tooManyRequests)\\(\\s*" + CODE);
    /** Sites that pair a {@code ProviderFailure} constant with its status: (constant, status) or (status, constant). */
    private static final Pattern PROVIDER_CONSTANT_AND_STATUS = Pattern.compile(
            "new\\s+ProviderFailure\\(\\s*ProviderFailure\\.(\\w+)\\s*,\\s*HttpStatus\\.(\\w+)");
    private static final Pattern STATUS_AND_PROVIDER_CONSTANT = Pattern.compile(
            "new\\s+AtriumException\\(\\s*HttpStatus\\.(\\w+)\\s*,\\s*ProviderFailure\\.(\\w+)");
    private static final Map<String, HttpStatus> FACTORY_STATUS = Map.of("notFound", HttpStatus.NOT_FOUND,
            "forbidden", HttpStatus.FORBIDDEN, "conflict", HttpStatus.CONFLICT, "badRequest", HttpStatus.BAD_REQUEST,
            "tooManyRequests", HttpStatus.TOO_MANY_REQUESTS);

    private static final List<Pattern> PROBLEM_COMPUTED = List.of(
            Pattern.compile("AtriumException\\s*\\.\\s*(?:notFound|forbidden|conflict|badRequest|tooManyRequests)"
                    + "\\(\\s*" + COMPUTED_ARGUMENT),
            Pattern.compile("new\\s+AtriumException\\(\\s*[^,]+,\\s*" + COMPUTED_ARGUMENT),
            Pattern.compile("\\bProblems\\.write\\(\\s*\\w+\\s*,\\s*[^,]+,\\s*" + COMPUTED_ARGUMENT),
            Pattern.compile("\\bProblems\\.of\\(\\s*[^,]+,\\s*" + COMPUTED_ARGUMENT),
            Pattern.compile("\\bProblems\\.decorate\\(\\s*[^,]+,\\s*([^\"\\s][^;]*?)\\);"),
            Pattern.compile("new\\s+ProviderFailure\\(\\s*" + COMPUTED_ARGUMENT));
    private static final Pattern SUBCLASS_COMPUTED = Pattern.compile("super\\(\\s*[^,]+,\\s*" + COMPUTED_ARGUMENT);

    private static final List<Pattern> INGESTION_LITERALS = List.of(
            Pattern.compile("new\\s+PermanentFailure\\(\\s*" + CODE),
            Pattern.compile("IngestionStatus\\.FAILED\\s*,\\s*" + CODE));
    private static final List<Pattern> INGESTION_COMPUTED = List.of(
            Pattern.compile("new\\s+PermanentFailure\\(\\s*" + COMPUTED_ARGUMENT),
            Pattern.compile("IngestionStatus\\.FAILED\\s*,\\s*" + COMPUTED_ARGUMENT),
            Pattern.compile("\\bingestion\\.fail\\(\\s*[^,]+,\\s*" + COMPUTED_ARGUMENT));
    /** The statement of {@code KnowledgeJobsConfiguration} choosing the code of a job that failed for good. */
    private static final Pattern JOB_FAILURE = Pattern.compile(
            "String code = cause instanceof Ingestion\\.PermanentFailure[^;]*;");

    /** Where the values of a computed code come from. */
    private enum Source {
        /** The code was chosen elsewhere, by a site this test reads; nothing to add. */
        PASSED_ON,
        /** Every {@code public static final String} of {@code ProviderFailure}. */
        PROVIDER_FAILURE,
        /** Every {@code public static final String} of {@code ExtractionException}. */
        EXTRACTION,
        /** {@code new Unavailable(space, "code", ...)} in {@code EmbeddingTargets}. */
        EMBEDDING_UNAVAILABLE,
        /** {@code TransactionRetry.CONFLICT_CODE}. */
        TRANSACTION_CONFLICT,
        /** The literals of the {@code codeFor} switches of {@code platform.internal}. */
        CODE_FOR,
        /** The literals of {@link #JOB_FAILURE}, and the permanent failures' codes read elsewhere. */
        JOB_FAILURE
    }

    /**
     * Every call site whose code is computed, as {@code <file name>|<argument expression>}, and where its values come
     * from. Listed by hand because no pattern can follow a variable; a site missing here fails the test.
     */
    private static final Map<String, Source> COMPUTED = Map.ofEntries(
            // AtriumException's factories pass their caller's literal on.
            Map.entry("AtriumException.java|code", Source.PASSED_ON),
            // The advice renders whatever AtriumException reached it.
            Map.entry("ProblemDetailsAdvice.java|failure.code()", Source.PASSED_ON),
            // ClientInputProblems' helper problem(HttpStatus, code, detail) is read as a literal pattern.
            Map.entry("ClientInputProblems.java|code", Source.PASSED_ON),
            Map.entry("ProviderFailure.java|code", Source.PROVIDER_FAILURE),
            // A provider's error inside a stream: the chat adapters pass ProviderFailure constants to Answer.error.
            Map.entry("ProviderFailures.java|code", Source.PROVIDER_FAILURE),
            Map.entry("TitleGeneration.java|ProviderFailure.TIMEOUT", Source.PROVIDER_FAILURE),
            Map.entry("TitleGeneration.java|ProviderFailure.INVALID_RESPONSE", Source.PROVIDER_FAILURE),
            Map.entry("TransactionRetry.java|CONFLICT_CODE", Source.TRANSACTION_CONFLICT),
            Map.entry("ProblemDetailsAdvice.java|TransactionRetry.CONFLICT_CODE", Source.TRANSACTION_CONFLICT),
            Map.entry("ProblemDetailsAdvice.java|codeFor(failure, statusCode)", Source.CODE_FOR),
            Map.entry("ProblemErrorController.java|codeFor(status)", Source.CODE_FOR),
            Map.entry("ProblemErrorHandler.java|ProblemErrorController.codeFor(status)", Source.CODE_FOR),
            // Upload: type detection refusing a hostile document answers 422 with the extraction code.
            Map.entry("FileService.java|hostile.code()", Source.EXTRACTION),
            Map.entry("CallerEmbeddings.java|unavailable.code()", Source.EMBEDDING_UNAVAILABLE),
            // Ingestion.
            Map.entry("Ingestion.java|last.code()", Source.EMBEDDING_UNAVAILABLE),
            Map.entry("Ingestion.java|unreadable.code()", Source.EXTRACTION),
            Map.entry("CollectionSpaces.java|unavailable.code()", Source.EMBEDDING_UNAVAILABLE),
            Map.entry("KnowledgeJobsConfiguration.java|code", Source.JOB_FAILURE));

    /** A computed code naming a constant of {@code ProviderFailure}: listed by the rule, not one by one. */
    private static final Pattern PROVIDER_CONSTANT = Pattern.compile("\\|ProviderFailure\\.[A-Z_]+$");

    /** @return where a computed site's values come from, or null when it is neither listed nor a known constant */
    private static Source sourceOf(String site) {
        Source listed = COMPUTED.get(site);
        return listed != null ? listed : PROVIDER_CONSTANT.matcher(site).find() ? Source.PROVIDER_FAILURE : null;
    }

    @Test
    void everyProblemCodeTheCodeCanAnswerIsCataloguedAndEveryCatalogueRowIsStillUsed() {
        Set<String> documented = documented(PROBLEMS_SECTION);
        Set<String> used = problemCodes();

        assertThat(used).as("the extraction must find the codes everyone knows; if not, the patterns broke")
                .contains("validation_failed", "not_found", "unauthenticated", "provider_timeout", "conflict",
                        "decompression_bomb", "embedding_not_configured", "internal_error");
        assertThat(missing(used, documented)).as("problem codes the code uses but " + CATALOGUE + " ("
                + PROBLEMS_SECTION + ") lacks; add a row with status and what to do").isEmpty();
        assertThat(missing(documented, used)).as("rows of " + CATALOGUE + " (" + PROBLEMS_SECTION + ") whose code"
                + " nothing in src/main/java produces any more; remove them").isEmpty();
    }

    @Test
    void everyIngestionFailureCodeIsCataloguedAndEveryCatalogueRowIsStillUsed() {
        Set<String> documented = documented(INGESTION_SECTION);
        Set<String> used = ingestionCodes();

        assertThat(used).as("the extraction must find the codes everyone knows; if not, the patterns broke")
                .contains("no_text", "file_bytes_missing", "extraction_failed", "embedding_failed",
                        "ingestion_failed", "embedding_credential_missing");
        assertThat(missing(used, documented)).as("ingestion failure codes the code uses but " + CATALOGUE + " ("
                + INGESTION_SECTION + ") lacks").isEmpty();
        assertThat(missing(documented, used)).as("rows of " + CATALOGUE + " (" + INGESTION_SECTION + ") whose code"
                + " nothing in src/main/java produces any more").isEmpty();
    }

    @Test
    void everyCataloguedStatusIncludesTheStatusEachLiteralSiteAnswersWith() {
        Map<String, String> statuses = documentedStatuses(PROBLEMS_SECTION);
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Path file : ProjectFiles.mainJavaSources()) {
            String text = read(file);
            Matcher constructed = STATUS_AND_CODE.matcher(text);
            while (constructed.find()) {
                checked++;
                compare(statuses, constructed.group(2), HttpStatus.valueOf(constructed.group(1)), file, wrong);
            }
            Matcher provider = PROVIDER_CONSTANT_AND_STATUS.matcher(text);
            while (provider.find()) {
                checked++;
                compare(statuses, providerCode(provider.group(1)), HttpStatus.valueOf(provider.group(2)), file, wrong);
            }
            Matcher titled = STATUS_AND_PROVIDER_CONSTANT.matcher(text);
            while (titled.find()) {
                checked++;
                compare(statuses, providerCode(titled.group(2)), HttpStatus.valueOf(titled.group(1)), file, wrong);
            }
            Matcher factory = FACTORY_AND_CODE.matcher(text);
            while (factory.find()) {
                checked++;
                compare(statuses, factory.group(2), FACTORY_STATUS.get(factory.group(1)), file, wrong);
            }
        }
        assertThat(checked).as("literal sites read; far fewer means the patterns broke").isGreaterThan(100);
        assertThat(wrong).as("catalogue rows whose status column lacks the status the code is answered with").isEmpty();
    }

    /** @return the value of the {@code ProviderFailure} constant of this name */
    private static String providerCode(String constant) {
        Matcher declaration = Pattern.compile("public static final String " + constant + "\\s*=\\s*" + CODE + ";")
                .matcher(read(MAIN_SOURCES.resolve("providers/ProviderFailure.java")));
        assertThat(declaration.find()).as("ProviderFailure." + constant).isTrue();
        return declaration.group(1);
    }

    private static void compare(Map<String, String> statuses, String code, HttpStatus status, Path file,
                                List<String> wrong) {
        String documented = statuses.get(code);
        // A code without a row is reported by the catalogue test; here only the rows that exist are compared.
        if (documented != null && !documented.contains(Integer.toString(status.value()))) {
            wrong.add(code + ": " + status.value() + " in " + file.getFileName() + ", catalogued as " + documented);
        }
    }

    @Test
    void everyComputedCodeSiteIsListedWithWhereItsValuesComeFrom() {
        List<String> unlisted = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Path file : ProjectFiles.mainJavaSources()) {
            String text = read(file);
            List<Pattern> patterns = new ArrayList<>(PROBLEM_COMPUTED);
            if (extendsAtriumException(text)) {
                patterns.add(SUBCLASS_COMPUTED);
            }
            if (inKnowledge(file)) {
                patterns.addAll(INGESTION_COMPUTED);
            }
            for (String site : computedSites(file, text, patterns)) {
                seen.add(site);
                if (sourceOf(site) == null) {
                    unlisted.add(site);
                }
            }
        }
        assertThat(unlisted).as("call sites whose problem or failure code is not a string literal; list each in"
                + " COMPUTED with where its values come from (and catalogue those values)").isEmpty();
        assertThat(missing(COMPUTED.keySet(), seen)).as("COMPUTED lists sites that no longer exist; remove them")
                .isEmpty();
    }

    // ---------------------------------------------------------------- extraction

    private static Set<String> problemCodes() {
        Set<String> codes = new TreeSet<>();
        Set<Source> computed = EnumSet.noneOf(Source.class);
        for (Path file : ProjectFiles.mainJavaSources()) {
            String text = read(file);
            PROBLEM_LITERALS.forEach(pattern -> codes.addAll(groups(pattern, text)));
            if (INVALID_FIELD.matcher(text).find()) {
                codes.add("validation_failed");
            }
            List<Pattern> computedPatterns = new ArrayList<>(PROBLEM_COMPUTED);
            if (extendsAtriumException(text)) {
                codes.addAll(groups(SUBCLASS_LITERAL, text));
                computedPatterns.add(SUBCLASS_COMPUTED);
            }
            computedSites(file, text, computedPatterns).stream().map(ProblemCodeCatalogueTest::sourceOf)
                    .filter(Objects::nonNull).forEach(computed::add);
        }
        computed.forEach(source -> codes.addAll(valuesOf(source)));
        return codes;
    }

    private static Set<String> ingestionCodes() {
        Set<String> codes = new TreeSet<>();
        Set<Source> computed = EnumSet.noneOf(Source.class);
        for (Path file : ProjectFiles.mainJavaSources()) {
            if (!inKnowledge(file)) {
                continue;
            }
            String text = read(file);
            INGESTION_LITERALS.forEach(pattern -> codes.addAll(groups(pattern, text)));
            computedSites(file, text, INGESTION_COMPUTED).stream().map(ProblemCodeCatalogueTest::sourceOf)
                    .filter(Objects::nonNull).forEach(computed::add);
        }
        computed.forEach(source -> codes.addAll(valuesOf(source)));
        return codes;
    }

    private static Set<String> valuesOf(Source source) {
        return switch (source) {
            case PASSED_ON -> Set.of();
            case PROVIDER_FAILURE -> constants(MAIN_SOURCES.resolve("providers/ProviderFailure.java"));
            case EXTRACTION -> constants(MAIN_SOURCES.resolve("knowledge/extraction/ExtractionException.java"));
            case EMBEDDING_UNAVAILABLE -> groups(Pattern.compile("new\\s+Unavailable\\(\\s*[^,]+,\\s*" + CODE),
                    read(MAIN_SOURCES.resolve("knowledge/EmbeddingTargets.java")));
            case TRANSACTION_CONFLICT -> groups(Pattern.compile("CONFLICT_CODE\\s*=\\s*" + CODE),
                    read(MAIN_SOURCES.resolve("platform/TransactionRetry.java")));
            case CODE_FOR -> {
                Set<String> codes = new TreeSet<>();
                for (String name : List.of("ProblemDetailsAdvice.java", "ProblemErrorController.java")) {
                    codes.addAll(codeForLiterals(read(MAIN_SOURCES.resolve("platform/internal").resolve(name))));
                }
                yield codes;
            }
            case JOB_FAILURE -> {
                Matcher statement = JOB_FAILURE.matcher(read(MAIN_SOURCES.resolve(
                        "knowledge/KnowledgeJobsConfiguration.java")));
                assertThat(statement.find()).as("the statement choosing a failed job's code").isTrue();
                yield groups(Pattern.compile(CODE), statement.group());
            }
        };
    }

    /** The literals of a file's {@code codeFor} method: from its declaration to the end of its body. */
    private static Set<String> codeForLiterals(String text) {
        Matcher declaration = Pattern.compile("String codeFor\\([^)]*\\)\\s*\\{").matcher(text);
        assertThat(declaration.find()).as("a codeFor method").isTrue();
        int depth = 1;
        int end = declaration.end();
        while (depth > 0) {
            char c = text.charAt(end++);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        }
        return groups(Pattern.compile(CODE), text.substring(declaration.end(), end));
    }

    private static Set<String> constants(Path file) {
        return groups(Pattern.compile("public static final String \\w+\\s*=\\s*" + CODE + ";"), read(file));
    }

    private static List<String> computedSites(Path file, String text, List<Pattern> patterns) {
        List<String> sites = new ArrayList<>();
        for (Pattern pattern : patterns) {
            Matcher matcher = pattern.matcher(text);
            while (matcher.find()) {
                String expression = matcher.group(1).strip();
                if (!expression.startsWith("\"")) {
                    sites.add(file.getFileName() + "|" + expression.replaceAll("\\s+", " "));
                }
            }
        }
        return sites;
    }

    private static boolean extendsAtriumException(String text) {
        return text.contains("extends AtriumException");
    }

    private static boolean inKnowledge(Path file) {
        return file.startsWith(MAIN_SOURCES.resolve("knowledge"));
    }

    // ---------------------------------------------------------------- the catalogue

    /** The codes of a catalogue section: the first cell of each table row, a backticked code; no code twice. */
    private static Set<String> documented(String heading) {
        List<String> lines = read(CATALOGUE).lines().toList();
        int start = lines.indexOf(heading);
        assertThat(start).as(CATALOGUE + " must have the section '" + heading + "'").isNotNegative();
        Pattern row = Pattern.compile("^\\| `([a-z][a-z0-9_]*)` \\|");
        Set<String> codes = new TreeSet<>();
        List<String> twice = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher matcher = row.matcher(line);
            if (matcher.find() && !codes.add(matcher.group(1))) {
                twice.add(matcher.group(1));
            }
        }
        assertThat(twice).as("codes catalogued twice in '" + heading + "'").isEmpty();
        return codes;
    }

    /** The status column of each row of a catalogue section, by code. */
    private static Map<String, String> documentedStatuses(String heading) {
        List<String> lines = read(CATALOGUE).lines().toList();
        int start = lines.indexOf(heading);
        Pattern row = Pattern.compile("^\\| `([a-z][a-z0-9_]*)` \\| ([^|]+) \\|");
        Map<String, String> statuses = new TreeMap<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher matcher = row.matcher(line);
            if (matcher.find()) {
                statuses.put(matcher.group(1), matcher.group(2).strip());
            }
        }
        return statuses;
    }

    private static Set<String> missing(Set<String> from, Set<String> in) {
        Set<String> missing = new TreeSet<>(from);
        missing.removeAll(in);
        return missing;
    }
}
