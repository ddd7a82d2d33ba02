package org.atrium.testing;

import org.junit.jupiter.api.Assumptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The npm packages in {@code src/test/node} that tests run with the machine's Node (client libraries, the workflow
 * validator). Without Node or without {@code npm ci} there, such a test is skipped, except where
 * {@code ATRIUM_TEST_REQUIRE_NODE=true} ({@code .ci/run} and the CI workflow, which install both): there it fails.
 */
public final class NodePackages {

    /** The directory of the npm project: package.json, its lockfile, node_modules. */
    public static final Path DIRECTORY = Path.of("src/test/node");

    private NodePackages() {
    }

    /**
     * Skips the calling test (or fails it, under {@code ATRIUM_TEST_REQUIRE_NODE=true}) unless Node runs and the
     * package is installed.
     *
     * @param packageName the npm package the test needs, e.g. {@code openai}
     */
    public static void require(String packageName) {
        boolean installed = Files.isRegularFile(DIRECTORY.resolve("node_modules/" + packageName + "/package.json"));
        boolean node;
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            node = version.waitFor(20, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException | InterruptedException missing) {
            node = false;
        }
        String why = !node ? "Node is not installed"
                : "the npm packages are not installed (npm ci in " + DIRECTORY + ")";
        if ("true".equals(System.getenv("ATRIUM_TEST_REQUIRE_NODE"))) {
            assertThat(node && installed).as(why + ", and ATRIUM_TEST_REQUIRE_NODE=true").isTrue();
        }
        Assumptions.assumeTrue(node && installed, why);
    }
}
