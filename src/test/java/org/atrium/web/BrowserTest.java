package org.atrium.web;

import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A test of the web interface in one headless Chromium per test class, against the in-process Atrium of
 * {@link IntegrationTest}; each test starts signed out.
 */
abstract class BrowserTest extends IntegrationTest {

    static ChromeDriver browser;

    @BeforeAll
    static void startBrowser() {
        browser = Browsers.start();
    }

    @AfterAll
    static void quitBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
    }

    /** Signs out by forgetting the cookies, from a page of Atrium's: a browser forgets only the open site's. */
    @AfterEach
    void forgetSession() {
        browser.get(api.baseUrl() + "/signin");
        browser.manage().deleteAllCookies();
    }
}
