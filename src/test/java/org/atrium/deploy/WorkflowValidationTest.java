package org.atrium.deploy;

import org.atrium.testing.NodePackages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The GitHub workflows in {@code .github/workflows} pass a real validator: {@code action-validator} from npm
 * ({@code @action-validator/cli}, in {@code src/test/node}), which checks each file against GitHub's workflow schema
 * and that its path filters match files. A broken workflow is rejected by the same run, so a validator that accepts
 * everything would fail here. {@code action-validator} knows workflows and actions only: {@code dependabot.yml} is
 * checked here for what Dependabot needs from this repository (version 2, and each ecosystem's directory holding
 * its manifest).
 *
 * <p>Needs Node and {@code npm ci} in {@code src/test/node}; skipped without them, except where
 * {@code ATRIUM_TEST_REQUIRE_NODE=true} ({@code .ci/run} and the CI workflow), where it fails instead.
 */
class WorkflowValidationTest {

    private static final Path VALIDATOR = NodePackages.DIRECTORY.resolve("node_modules/@action-validator/cli/cli.mjs");
    private static final Path WORKFLOWS = Path.of(".github/workflows");

    @Test
    void everyWorkflowPassesTheValidatorAndABrokenOneDoesNot(@TempDir Path temp) throws Exception {
        NodePackages.require("@action-validator/cli");
        List<Path> workflows;
        try (Stream<Path> files = Files.list(WORKFLOWS)) {
            workflows = files.filter(file -> file.toString().endsWith(".yml") || file.toString().endsWith(".yaml"))
                    .sorted().toList();
        }
        assertThat(workflows).extracting(file -> file.getFileName().toString())
                .contains("ci.yml", "image.yml", "deploy.yml");
        for (Path workflow : workflows) {
            Result result = validate(workflow);
            assertThat(result.exitCode()).as(workflow + ":\n" + result.output()).isZero();
        }

        Path broken = temp.resolve("broken.yml");
        Files.writeString(broken, Files.readString(WORKFLOWS.resolve("ci.yml")).replace("runs-on:", "runs_on:"));
        Result rejected = validate(broken);
        assertThat(rejected.exitCode()).as(rejected.output()).isNotZero();
        assertThat(rejected.output()).contains("runs_on");
    }

    @Test
    @SuppressWarnings("unchecked")
    void dependabotWatchesMavenTheActionsAndTheTestsNpmPackagesWhereTheirManifestsAre() throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(Path.of(".github/dependabot.yml")));
        assertThat(config.get("version")).isEqualTo(2);
        List<Map<String, Object>> updates = (List<Map<String, Object>>) config.get("updates");
        Map<String, String> manifests = Map.of("maven", "pom.xml", "github-actions", ".github/workflows",
                "npm", "package-lock.json");
        assertThat(updates).extracting(update -> update.get("package-ecosystem"))
                .containsExactlyInAnyOrderElementsOf(manifests.keySet());
        for (Map<String, Object> update : updates) {
            String ecosystem = (String) update.get("package-ecosystem");
            Path directory = Path.of("." + update.get("directory"));
            assertThat(directory.resolve(manifests.get(ecosystem))).as(ecosystem).exists();
            assertThat(((Map<String, Object>) update.get("schedule")).get("interval")).as(ecosystem)
                    .isIn("daily", "weekly", "monthly");
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result validate(Path workflow) throws Exception {
        Process process = new ProcessBuilder("node", VALIDATOR.toAbsolutePath().toString(), workflow.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("action-validator finished").isTrue();
        return new Result(process.exitValue(), output);
    }
}
