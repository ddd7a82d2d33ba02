package org.atrium.web;

import org.atrium.testing.FakeChatServer;
import org.atrium.testing.FakeConnection;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the web interface costs a browser, printed (docs/benchmarks.md, "Web interface: page weight and first token
 * drawn"): the bytes a first visit to each main page transfers with an empty cache, and the time from pressing Enter
 * to the first streamed token drawn on the page, against a fake OpenAI-compatible provider that answers at once.
 */
@Tag("benchmark")
class WebPageBenchmark extends BrowserTest {

    private static final int ANSWERS = Integer.getInteger("atrium.bench.answers", 30);
    private static final int ROLE_CHANGES = 20;
    private static final List<String> PHASES = List.of("the question saved (POST .../messages, whole)",
            "the page's script between the two requests", "the answer's response headers (POST .../answers)",
            "headers to the first token drawn (first event, Markdown, paint)");

    /** Bytes the page and everything it loaded transferred (compressed, headers included) and decoded. */
    private long[] weight() {
        Object sizes = browser.executeScript("""
                const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
                return [entries.reduce((sum, e) => sum + e.transferSize, 0),
                        entries.reduce((sum, e) => sum + e.decodedBodySize, 0), entries.length];
                """);
        @SuppressWarnings("unchecked")
        List<Number> values = (List<Number>) sizes;
        return new long[]{values.get(0).longValue(), values.get(1).longValue(), values.get(2).longValue()};
    }

    private void load(String path) {
        browser.executeCdpCommand("Network.clearBrowserCache", Map.of());
        browser.get(api.baseUrl() + path);
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(driver -> "complete".equals(
                browser.executeScript("return document.readyState")));
    }

    /**
     * The admin's pages' weight, and what htmx saves on their forms: the same role change (a member made admin, then
     * user again) posted by htmx, which swaps in the page the answer draws, and as a plain form, which loads the page
     * anew; each timed from the click until the new page is drawn.
     */
    private String adminPages(TestUsers.Account member) {
        TestUsers.Account admin = users.admin();
        String group = api.post("/api/v1/groups", Map.of("name", "Bench " + UUID.randomUUID()), admin.token()).json()
                .path("id").asString();
        String collection = api.post("/api/v1/collections", Map.of("name", "Bench"), admin.token()).json()
                .path("id").asString();
        browser.manage().deleteAllCookies();
        Browsers.signIn(browser, api.baseUrl(), admin);
        StringBuilder report = new StringBuilder();
        for (String path : List.of("/admin", "/admin/usage", "/groups/" + group, "/knowledge/" + collection)) {
            load(path);
            long[] page = weight();
            assertThat(page[0]).as(path).isPositive();
            report.append(String.format(Locale.ROOT, "  %-28s %,9d B transferred, %,9d B decoded, %d requests%n",
                    path.replaceAll("[0-9a-f-]{36}", "{id}"), page[0], page[1], page[2]));
        }
        load("/admin");
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (int i = 0; i < 2 * ROLE_CHANGES; i++) {
            // Promotions and demotions alternate; each way takes half of each.
            boolean boosted = i % 4 == 0 || i % 4 == 3;
            String role = i % 2 == 0 ? "admin" : "user";
            WebElement main = browser.findElement(By.tagName("main"));
            long started = System.nanoTime();
            browser.executeScript("""
                    const form = document.querySelector(
                        `#users tr[data-user-id='${arguments[0]}'] input[name=role][value=${arguments[1]}]`).form;
                    if (arguments[2]) { form.requestSubmit(); } else { form.submit(); }
                    """, member.id().toString(), role, boosted);
            // Polled every millisecond: the default half second would be most of what is measured.
            WebDriverWait closely = new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(1));
            closely.until(ExpectedConditions.stalenessOf(main));
            closely.until(driver -> role.equals(driver.findElement(
                    By.cssSelector("#users tr[data-user-id='" + member.id() + "']")).getAttribute("data-role")));
            times.computeIfAbsent(boosted ? "htmx" : "plain form", unused -> new ArrayList<>())
                    .add((System.nanoTime() - started) / 1e6);
        }
        report.append(String.format(Locale.ROOT, "a role change on /admin, click to the page drawn again, %d each:%n",
                ROLE_CHANGES));
        times.forEach((way, measured) -> {
            List<Double> sorted = measured.stream().sorted().toList();
            report.append(String.format(Locale.ROOT, "  %-12s p50 %.1f ms, p90 %.1f ms%n", way,
                    sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1)));
        });
        browser.manage().deleteAllCookies();
        return report.toString();
    }

    @Test
    void pageWeightAndTimeToFirstTokenDrawn() {
        browser.executeCdpCommand("Network.enable", Map.of());
        try (FakeConnection connection = FakeConnection.open(api, users, "bench", "m")) {
            TestUsers.Account user = connection.userWithKey(users);
            StringBuilder report = new StringBuilder("page weight, first visit, empty cache:\n");
            load("/signin");
            long[] signin = weight();
            report.append(String.format(Locale.ROOT, "  %-28s %,9d B transferred, %,9d B decoded, %d requests%n",
                    "/signin", signin[0], signin[1], signin[2]));
            Browsers.signIn(browser, api.baseUrl(), user);
            for (String path : List.of("/chats", "/knowledge", "/settings")) {
                load(path);
                long[] page = weight();
                assertThat(page[0]).as(path).isPositive();
                report.append(String.format(Locale.ROOT, "  %-28s %,9d B transferred, %,9d B decoded, %d requests%n",
                        path, page[0], page[1], page[2]));
            }

            report.append(adminPages(user));

            Browsers.signIn(browser, api.baseUrl(), user);
            load("/chats");
            new Select(browser.findElement(By.id("model"))).selectByValue(connection.name() + "/m");
            List<Double> drawn = new ArrayList<>();
            Map<String, List<Double>> breakdown = new LinkedHashMap<>();
            for (int i = 0; i < ANSWERS; i++) {
                connection.provider().enqueue(FakeChatServer.Script.text("First token, then the rest of the answer.")
                        .inChunks(6));
                browser.executeScript("""
                        window.firstDrawn = null;
                        const messages = document.getElementById('messages');
                        const seen = messages.querySelectorAll('article.assistant').length;
                        const observer = new MutationObserver(() => {
                          const answers = messages.querySelectorAll('article.assistant .markdown');
                          if (answers.length > seen && answers[answers.length - 1].textContent.length > 0) {
                            window.firstDrawn = performance.now() - window.sentAt;
                            observer.disconnect();
                          }
                        });
                        observer.observe(messages, {subtree: true, childList: true, characterData: true});
                        const box = document.getElementById('message');
                        box.value = 'Question ' + arguments[0];
                        window.sentAt = performance.now();
                        document.getElementById('composer').requestSubmit();
                        """, i);
                WebElement done = new WebDriverWait(browser, Duration.ofSeconds(20)).until(
                        ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                                "#messages article.assistant:nth-of-type(" + (2 * (i + 1)) + ")[data-status='complete']")));
                assertThat(done.getText()).contains("First token");
                drawn.add(((Number) browser.executeScript("return window.firstDrawn")).doubleValue());
                if (i > 0) { // the first answer creates the chat: another request, timed above as a whole
                    @SuppressWarnings("unchecked")
                    List<Number> phases = (List<Number>) browser.executeScript("""
                            const calls = performance.getEntriesByType('resource');
                            const question = calls.findLast((e) => e.name.endsWith('/messages'));
                            const answer = calls.findLast((e) => e.name.endsWith('/answers'));
                            return [question.responseEnd - window.sentAt, answer.startTime - question.responseEnd,
                                    answer.responseStart - answer.startTime,
                                    window.firstDrawn - (answer.responseStart - window.sentAt)];
                            """);
                    for (int phase = 0; phase < PHASES.size(); phase++) {
                        breakdown.computeIfAbsent(PHASES.get(phase), unused -> new ArrayList<>())
                                .add(phases.get(phase).doubleValue());
                    }
                }
                browser.executeScript("performance.clearResourceTimings();");
            }
            report.append("where the time to first token goes, p50 of the answers after the first:\n");
            breakdown.forEach((phase, measured) -> report.append(String.format(Locale.ROOT, "  %-56s %.1f ms%n",
                    phase, measured.stream().sorted().toList().get(measured.size() / 2))));
            List<Double> sorted = drawn.stream().sorted().toList();
            report.append(String.format(Locale.ROOT, "time to first token drawn, %d answers in one chat:"
                    + " p50 %.1f ms, p90 %.1f ms, max %.1f ms (first answer, a new chat: %.1f ms)%n", ANSWERS,
                    sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1),
                    sorted.getLast(), drawn.getFirst()));
            System.out.print(report);
        }
    }
}
