package org.atrium.web;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium for the browser tests: Debian's {@code chromium} and {@code chromium-driver}, never a download.
 * Without them the tests are skipped, except where {@code ATRIUM_TEST_REQUIRE_BROWSER=true} (set by {@code .ci/run},
 * which installs them), where they fail.
 */
final class Browsers {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("ATRIUM_TEST_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("ATRIUM_TEST_CHROMEDRIVER",
            "/usr/bin/chromedriver"));
    static final Dimension DESKTOP = new Dimension(1280, 800);
    static final Dimension PHONE = new Dimension(390, 844);

    private Browsers() {
    }

    /** Skips the calling test when no browser is installed, or fails it where a browser is required. */
    static void requireBrowser() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String why = "browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get install chromium chromium-driver)";
        if ("true".equals(System.getenv("ATRIUM_TEST_REQUIRE_BROWSER"))) {
            assertThat(installed).as(why + ", and ATRIUM_TEST_REQUIRE_BROWSER=true").isTrue();
        }
        Assumptions.assumeTrue(installed, why);
    }

    /** @return a new headless browser of desktop size; the caller quits it */
    static ChromeDriver start() {
        requireBrowser();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    /** Makes the page see {@code prefers-color-scheme: dark} (or light). */
    static void colorScheme(ChromeDriver driver, String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }
}
