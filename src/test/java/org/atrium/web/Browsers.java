package org.atrium.web;

import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

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
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    /** Signs in through the sign-in page and waits for the chat page. */
    static void signIn(ChromeDriver driver, String baseUrl, TestUsers.Account account) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        driver.get(baseUrl + "/");
        wait.until(ExpectedConditions.urlContains("/signin"));
        for (Map.Entry<String, String> field : Map.of("email", account.email(), "password", account.password())
                .entrySet()) {
            WebElement input = driver.findElement(By.id(field.getKey()));
            input.clear();
            input.sendKeys(field.getValue());
        }
        driver.findElement(By.cssSelector("form[action='/signin'] button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/chats"));
    }

    /**
     * Clicks something that posts a form and waits for the page the answer draws: until the page it was on is gone,
     * so that what is read next is the new page's (the new page often has the same elements as the old one). A form
     * htmx posts replaces the page's body rather than the document, so the wait is on {@code main}.
     */
    static void clickAndAwaitNewPage(ChromeDriver driver, WebElement button) {
        WebElement old = driver.findElement(By.tagName("main"));
        button.click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(ExpectedConditions.stalenessOf(old));
    }

    /**
     * @return what the browser's console said since the last call that the Content-Security-Policy refused (an
     * inline script or style a library tried to add, say)
     */
    static List<String> policyViolations(ChromeDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy")).toList();
    }

    /** Where the screenshots shown in the README are kept. */
    static final Path SCREENSHOTS = Path.of("docs", "screenshots");

    /** Saves what the browser shows as {@code docs/screenshots/<name>.png}. */
    static void shoot(ChromeDriver driver, String name) throws IOException {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        assertThat(png).isNotEmpty();
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    /** Makes the page see {@code prefers-color-scheme: dark} (or light). */
    static void colorScheme(ChromeDriver driver, String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }
}
