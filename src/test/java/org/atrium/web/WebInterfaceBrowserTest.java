package org.atrium.web;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.FakeConnection;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web interface in headless Chromium against an Atrium on a random port and a fake OpenAI-compatible provider:
 * sign-up and approval, chat with streaming and Markdown, stop, and a hostile answer that must stay inert.
 */
class WebInterfaceBrowserTest extends BrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private FakeConnection connection;
    private FakeChatServer provider;
    private WebDriverWait wait;

    @BeforeEach
    void startProvider() {
        wait = new WebDriverWait(browser, WAIT);
        connection = FakeConnection.open(api, users, "web", "m");
        provider = connection.provider();
    }

    @AfterEach
    void stopProvider() {
        connection.close();
    }

    private TestUsers.Account userWithKey() {
        return connection.userWithKey(users);
    }

    private void open(String path) {
        browser.get(api.baseUrl() + path);
    }

    private void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    private void signIn(TestUsers.Account account) {
        Browsers.signIn(browser, api.baseUrl(), account);
    }

    /** Types a question and sends it with the keyboard alone. */
    private void ask(String question) {
        WebElement box = browser.findElement(By.id("message"));
        box.sendKeys(question);
        box.sendKeys(Keys.ENTER);
    }

    private WebElement answerWithStatus(int nth, String status) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                "#messages article.assistant:nth-of-type(" + (2 * nth) + ")[data-status='" + status + "']")));
    }

    private String model() {
        return connection.name() + "/m";
    }

    @Test
    void aNewAccountSignsUpWaitsForApprovalThenChatsAndSignsOut() {
        open("/");
        wait.until(ExpectedConditions.urlContains("/signin"));
        browser.findElement(By.linkText("Create one")).click();
        wait.until(ExpectedConditions.urlContains("/signup"));
        String email = TestUsers.uniqueEmail("browser");
        type("name", "Browser Person");
        type("email", email);
        type("password", TestUsers.PASSWORD);
        browser.findElement(By.id("password")).sendKeys(Keys.ENTER);
        wait.until(d -> d.getCurrentUrl().endsWith("/pending") || d.getCurrentUrl().contains("/chats"));
        if (browser.getCurrentUrl().endsWith("/pending")) {
            // Not the instance's first account: an admin approves it.
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Waiting for approval");
            UUID id = jdbc.sql("select id from users where email = :email").param("email", email)
                    .query(UUID.class).single();
            users.setRole(id, "user");
            browser.findElement(By.linkText("Check again")).click();
        }
        wait.until(ExpectedConditions.urlContains("/chats"));
        assertThat(browser.findElement(By.cssSelector("label[for=model]")).getText()).isEqualTo("Model");
        assertThat(browser.findElement(By.cssSelector("label[for=message]")).getAttribute("class"))
                .contains("visually-hidden");

        browser.findElement(By.cssSelector("form.signout button")).click();
        wait.until(ExpectedConditions.urlContains("/signin"));
        open("/chats");
        wait.until(ExpectedConditions.urlContains("/signin"));
    }

    @Test
    void anAnswerStreamsAsMarkdownAndCanBeStopped() {
        signIn(userWithKey());
        Select picker = new Select(browser.findElement(By.id("model")));
        assertThat(picker.getOptions()).extracting(WebElement::getText).contains(model());
        picker.selectByValue(model());

        provider.enqueue(FakeChatServer.Script.text("Lab coats are **required** in rooms `B1` to `B4`.").inChunks(8));
        ask("Which rooms need lab coats?");
        WebElement first = answerWithStatus(1, "complete");
        assertThat(first.findElement(By.tagName("strong")).getText()).isEqualTo("required");
        assertThat(first.findElement(By.tagName("code")).getText()).isEqualTo("B1");
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Answer complete.");
        wait.until(ExpectedConditions.urlMatches("/chats/[0-9a-f-]{36}$"));
        assertThat(browser.findElement(By.cssSelector("#chat-list a[aria-current=page]")).getAttribute("href"))
                .isEqualTo(browser.getCurrentUrl());

        String words = IntStream.range(0, 40).mapToObj(i -> "w" + i + " ").collect(Collectors.joining());
        provider.enqueue(FakeChatServer.Script.text(words).inChunks(40).stallAfter(3, Duration.ofSeconds(30)));
        ask("And which need goggles?");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                "#messages article.assistant[data-message-id][data-status='in_progress']")));
        WebElement stop = wait.until(ExpectedConditions.elementToBeClickable(By.id("stop")));
        stop.click();
        WebElement stopped = answerWithStatus(2, "stopped");
        assertThat(stopped.getText()).contains("w0");
        assertThat(browser.findElement(By.id("stop")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Answer stopped.");

        // The page as the server draws it: both answers, the first still rendered from Markdown.
        browser.navigate().refresh();
        WebElement again = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#messages article.assistant strong")));
        assertThat(again.getText()).isEqualTo("required");
        assertThat(browser.findElements(By.cssSelector("#messages article.assistant[data-status='stopped']")))
                .hasSize(1);
    }

    @Test
    void anAnswerStillBeingWrittenIsFollowedAfterTheTabComesBack() {
        signIn(userWithKey());
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        String words = IntStream.range(0, 30).mapToObj(i -> "v" + i + " ").collect(Collectors.joining());
        provider.enqueue(FakeChatServer.Script.text(words).inChunks(30).stallAfter(3, Duration.ofSeconds(4)));
        ask("Count for me");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                "#messages article.assistant[data-message-id][data-status='in_progress']")));
        wait.until(ExpectedConditions.urlMatches("/chats/[0-9a-f-]{36}$"));

        // The page is drawn again while the answer is generated server-side; it reattaches and follows it.
        browser.navigate().refresh();
        WebElement answer = answerWithStatus(1, "complete");
        assertThat(answer.getText()).contains("v0").contains("v29");
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Answer complete.");
    }

    /**
     * Cuts the page's first two event streams after their first {@code delta}: the first as a dropped connection
     * does (a network error), the second as a replica shutting down does (the stream simply ends). The streams asked
     * are listed in {@code window.streamsAsked}.
     */
    private static final String CUT_TWO_STREAMS = """
            window.streamsAsked = [];
            const original = window.fetch.bind(window);
            window.fetch = async (input, init) => {
              const response = await original(input, init);
              if (!init || !init.headers || init.headers.Accept !== 'text/event-stream') {
                return response;
              }
              const nth = window.streamsAsked.push((init.method || 'GET') + ' ' + input);
              if (nth > 2 || !response.ok) {
                return response;
              }
              const reader = response.body.getReader();
              const decoder = new TextDecoder();
              let seen = '';
              let cutNow = false;
              return new Response(new ReadableStream({
                async pull(controller) {
                  if (cutNow) {
                    reader.cancel();
                    if (nth === 1) {
                      controller.error(new TypeError('network error'));
                    } else {
                      controller.close();
                    }
                    return;
                  }
                  const { value, done } = await reader.read();
                  if (done) {
                    controller.close();
                    return;
                  }
                  controller.enqueue(value);
                  seen += decoder.decode(value, { stream: true });
                  cutNow = seen.includes('event:delta');
                },
              }), { status: response.status, headers: response.headers });
            };
            """;

    @Test
    void anAnswerWhoseStreamIsCutIsReattachedAndFollowedToItsEnd() {
        signIn(userWithKey());
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        browser.executeScript(CUT_TWO_STREAMS);
        String words = IntStream.range(0, 30).mapToObj(i -> "c" + i + " ").collect(Collectors.joining());
        provider.enqueue(FakeChatServer.Script.text(words).inChunks(30).stallAfter(3, Duration.ofSeconds(3)));
        ask("Count past the cuts");

        WebElement answer = answerWithStatus(1, "complete");
        assertThat(answer.getText()).contains("c0").contains("c29");
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Answer complete.");
        String answerId = answer.getAttribute("data-message-id");
        String chatPath = "/api/v1/chats/" + browser.getCurrentUrl().replaceAll(".*/chats/", "");
        assertThat(browser.executeScript("return window.streamsAsked")).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactly(
                "POST " + chatPath + "/answers", "GET " + chatPath + "/messages/" + answerId + "/events",
                "GET " + chatPath + "/messages/" + answerId + "/events");
        assertThat(jdbc.sql("select count(*) from chat_messages where role = 'assistant' and chat_id = :chat")
                .param("chat", UUID.fromString(browser.getCurrentUrl().replaceAll(".*/chats/", "")))
                .query(Long.class).single()).as("the question was asked once").isEqualTo(1L);
    }

    @Test
    void aReachedQuotaIsToldWithItsReasonAndNothingIsAsked() throws InterruptedException {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = userWithKey();
        java.util.UUID group = users.group(admin, "quota");
        users.member(admin, group, member, "member");
        Api.Response limited = api.put("/api/v1/groups/" + group + "/settings",
                java.util.Map.of("settings", java.util.Map.of("quotas.requestsPerMinute", 1)), admin.token());
        assertThat(limited.status()).as(limited.text()).isEqualTo(200);
        signIn(member);
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        provider.enqueue(FakeChatServer.Script.text("The one answer this minute."));
        org.atrium.testing.ClockMinutes.awaitAtLeastLeft(java.time.Duration.ofSeconds(15));
        ask("First question");
        answerWithStatus(1, "complete");
        int calls = provider.requests().size();

        ask("Second question");

        WebElement status = browser.findElement(By.id("status"));
        wait.until(driver -> status.getText().contains("requests for this minute"));
        assertThat(status.getText()).isEqualTo("You have made your 1 requests for this minute. Try again in a moment.");
        assertThat(provider.requests()).as("the provider was not called").hasSize(calls);
    }

    @Test
    void aProviderFailureIsToldWithItsReasonAndKeepsWhatWasWritten() {
        signIn(userWithKey());
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        provider.enqueue(FakeChatServer.Script.text("Half an answer").inChunks(2).failMidStream("model crashed"));
        ask("Tell me everything");
        WebElement failed = answerWithStatus(1, "failed");
        assertThat(failed.findElement(By.cssSelector(".markdown")).getText()).isEqualTo("Half an answer");
        assertThat(failed.findElement(By.cssSelector(".alert")).getText()).isNotBlank();
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("The answer failed.");

        browser.navigate().refresh();
        WebElement drawn = answerWithStatus(1, "failed");
        assertThat(drawn.findElement(By.cssSelector(".alert")).getText()).isNotBlank();
    }

    @Test
    void aHostileAnswerIsShownButNothingInItRuns() {
        signIn(userWithKey());
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        String attack = "Hello <script>window.pwned='script'</script>"
                + " <img src=x onerror=\"window.pwned='img'\">"
                + " [click me](javascript:window.pwned='link')"
                + " <a id=\"evil\" href=\"javascript:window.pwned='anchor'\">evil</a>"
                + " <iframe src=\"javascript:parent.pwned='iframe'\"></iframe>"
                + " <svg><animate onbegin=\"window.pwned='svg'\"/></svg>";
        provider.enqueue(FakeChatServer.Script.text(attack).inChunks(6));
        ask("Say hello");
        WebElement answer = answerWithStatus(1, "complete");
        assertThat(answer.getText()).contains("Hello");
        assertInert();
        for (WebElement link : browser.findElements(By.cssSelector("#messages a"))) {
            link.click();
        }
        assertInert();

        browser.navigate().refresh();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#messages article.assistant")));
        assertInert();
    }

    private void assertInert() {
        assertThat(browser.executeScript("return typeof window.pwned")).isEqualTo("undefined");
        assertThat(browser.findElements(By.cssSelector(
                "#messages script, #messages iframe, #messages [onerror], #messages [onbegin]"))).isEmpty();
        for (WebElement link : browser.findElements(By.cssSelector("#messages a"))) {
            String href = link.getAttribute("href");
            assertThat(href == null ? "" : href).doesNotStartWithIgnoringCase("javascript");
        }
    }

    @Test
    void chatsArePinnedRenamedArchivedAndDeletedFromTheSidebar() {
        TestUsers.Account user = userWithKey();
        String older = chat(user, "Lab coats");
        String newer = chat(user, "Goggles");
        signIn(user);
        assertThat(chatLinks()).containsSubsequence(newer, older);

        button(older, "Pin").click();
        wait.until(ExpectedConditions.urlContains("/chats/" + older));
        assertThat(chatLinks().getFirst()).as("pinned first").isEqualTo(older);
        assertThat(browser.findElement(By.cssSelector("#chat-list > li")).getAttribute("class")).contains("pinned");

        WebElement title = actions(older).findElement(By.name("title"));
        title.clear();
        title.sendKeys("Lab coats and gloves");
        button(older, "Rename").click();
        wait.until(ExpectedConditions.titleContains("Lab coats and gloves"));
        assertThat(api.get("/api/v1/chats/" + older, user.token()).json().path("chat").path("title").asString())
                .isEqualTo("Lab coats and gloves");

        button(newer, "Archive").click();
        wait.until(ExpectedConditions.urlMatches(".*/chats$"));
        assertThat(chatLinks()).containsExactly(older);
        assertThat(api.get("/api/v1/chats/" + newer, user.token()).json().path("chat").path("archived").asBoolean())
                .isTrue();

        button(older, "Delete").click();
        browser.switchTo().alert().dismiss();
        assertThat(chatLinks()).as("kept when the question is declined").containsExactly(older);
        button(older, "Delete").click();
        browser.switchTo().alert().accept();
        wait.until(driver -> chatLinks().isEmpty());
        assertThat(api.get("/api/v1/chats/" + older, user.token()).status()).isEqualTo(404);

        // A chat begun on this page has the same actions at once, without a reload.
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        provider.enqueue(FakeChatServer.Script.text("A new chat."));
        ask("Is this a new chat?");
        answerWithStatus(1, "complete");
        String begun = chatLinks().getFirst();
        Browsers.clickAndAwaitNewPage(browser, button(begun, "Pin"));
        assertThat(browser.getCurrentUrl()).endsWith("/chats/" + begun);
        assertThat(api.get("/api/v1/chats/" + begun, user.token()).json().path("chat").path("pinned").asBoolean())
                .isTrue();
    }

    @Test
    void chatsAreFoundBySearchAndArchivedOnesComeBack() {
        TestUsers.Account user = userWithKey();
        String coats = chat(user, "Lab coats");
        String goggles = chat(user, "Goggles");
        assertThat(api.patch("/api/v1/chats/" + goggles, Map.of("archived", true), user.token()).status())
                .isEqualTo(200);
        signIn(user);
        assertThat(chatLinks()).containsExactly(coats);

        WebElement search = browser.findElement(By.id("chat-query"));
        search.sendKeys("goggles");
        search.sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("q=goggles"));
        assertThat(chatLinks()).as("archived chats are not searched").isEmpty();
        type("chat-query", "coats");
        browser.findElement(By.id("chat-query")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("q=coats"));
        assertThat(chatLinks()).containsExactly(coats);
        assertThat(browser.findElement(By.cssSelector(".list-heading")).getText()).contains("“coats”");

        browser.findElement(By.linkText("Show all")).click();
        browser.findElement(By.linkText("Archived chats")).click();
        wait.until(ExpectedConditions.urlContains("archived=true"));
        assertThat(chatLinks()).containsExactly(goggles);
        button(goggles, "Unarchive").click();
        wait.until(ExpectedConditions.urlContains("/chats/" + goggles));
        assertThat(chatLinks()).containsExactlyInAnyOrder(coats, goggles);
        assertThat(api.get("/api/v1/chats/" + goggles, user.token()).json().path("chat").path("archived")
                .asBoolean()).isFalse();
    }

    @Test
    void anAnswerIsRegeneratedItsVersionsAreBrowsedAndItsUsageIsShown() {
        signIn(userWithKey());
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        provider.enqueue(FakeChatServer.Script.text("The first answer.").withUsage(12, 3));
        ask("Which rooms need lab coats?");
        WebElement first = answerWithStatus(1, "complete");
        assertThat(first.findElement(By.cssSelector(".meta")).getAttribute("textContent")).contains(model())
                .contains("12 tokens in, 3 out").contains("s in all");

        provider.enqueue(FakeChatServer.Script.text("The second answer.").withUsage(12, 4));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("regenerate"))).click();
        wait.until(driver -> version().equals("2/2"));
        assertThat(lastAnswer()).isEqualTo("The second answer.");
        assertThat(browser.findElement(By.cssSelector("#messages article.assistant:last-of-type .meta"))
                .getAttribute("textContent")).as("drawn by the server after the reload").contains("12 tokens in, 4 out");

        browser.findElement(By.cssSelector("nav.versions button[aria-label='Previous version']")).click();
        wait.until(driver -> version().equals("1/2"));
        assertThat(lastAnswer()).isEqualTo("The first answer.");
        assertThat(browser.findElement(By.cssSelector("nav.versions button[aria-label='Previous version']"))
                .isEnabled()).isFalse();
    }

    /** What has the focus, as a person hears it: its id, else its label, else its text. */
    private String focused() {
        return String.valueOf(browser.executeScript("""
                const element = document.activeElement;
                return element.id || element.getAttribute('aria-label') || element.textContent.trim().slice(0, 40);
                """));
    }

    /** Presses Tab until {@code target} has the focus; returns what had it on the way (the target last). */
    private List<String> tabTo(String target) {
        List<String> passed = new java.util.ArrayList<>();
        for (int presses = 0; presses < 80; presses++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            passed.add(focused());
            if (passed.getLast().equals(target)) {
                return passed;
            }
        }
        throw new AssertionError("Tab never reached " + target + "; it went through " + passed);
    }

    /**
     * The chat with the keyboard alone, from a fresh page: Tab reaches the skip link first, then the model picker,
     * the attach button (its label showing the focus), the message box and the send button in reading order; Enter
     * sends; Tab and Enter regenerate and browse the versions.
     */
    @Test
    void theChatIsUsedWithTheKeyboardAloneInTheOrderOfThePage() {
        signIn(userWithKey());
        browser.get(api.baseUrl() + "/chats");
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        browser.executeScript("document.activeElement.blur(); window.scrollTo(0, 0);");

        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getAttribute("class")).isEqualTo("skip-link");
        List<String> order = tabTo("send");
        assertThat(order).containsSubsequence("model", "attach-files", "message", "send");
        assertThat(order.indexOf("attach-files")).isLessThan(order.indexOf("message"));
        tabTo("attach-files");
        assertThat(browser.findElement(By.cssSelector("label.attach")).getCssValue("outline-style"))
                .as("the attach button shows the focus of its hidden input").isEqualTo("solid");

        tabTo("message");
        provider.enqueue(FakeChatServer.Script.text("The first answer.").inChunks(3));
        new Actions(browser).sendKeys("Which rooms need lab coats?").sendKeys(Keys.ENTER).perform();
        assertThat(answerWithStatus(1, "complete").getText()).contains("The first answer.");

        provider.enqueue(FakeChatServer.Script.text("The second answer."));
        tabTo("regenerate");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        wait.until(driver -> version().equals("2/2"));
        assertThat(lastAnswer()).isEqualTo("The second answer.");
        browser.executeScript("document.activeElement.blur(); window.scrollTo(0, 0);");
        tabTo("Previous version");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        wait.until(driver -> version().equals("1/2"));
        assertThat(lastAnswer()).isEqualTo("The first answer.");
    }

    /**
     * The title the task model writes after the first answer appears in the chat list without a reload; an edited
     * question becomes a second version beside the first, each with its own answer.
     */
    @Test
    void theTitleAppearsWhenWrittenAndAnEditedQuestionIsASecondVersion() {
        TestUsers.Account user = userWithKey();
        UUID group = users.group(connection.admin(), "titles");
        Api.Response titles = api.put("/api/v1/groups/" + group + "/settings", Map.of("settings",
                Map.of("features.titleModel", model())), connection.admin().token());
        assertThat(titles.status()).as(titles.text()).isEqualTo(200);
        users.member(connection.admin(), group, user, "member");
        signIn(user);
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        provider.enqueue(FakeChatServer.Script.text("Coats in the B rooms."), FakeChatServer.Script.text("Lab coat rules"));
        ask("Which rooms need lab coats?");
        answerWithStatus(1, "complete");
        wait.until(driver -> driver.findElement(By.cssSelector("#chat-list a[aria-current=page]")).getText()
                .equals("Lab coat rules"));
        assertThat(browser.getTitle()).isEqualTo("Lab coat rules · Atrium");

        browser.findElement(By.cssSelector("#messages article.user button.edit")).click();
        WebElement edited = browser.findElement(By.cssSelector("#messages article.user .editor textarea"));
        assertThat(edited.getAttribute("value")).isEqualTo("Which rooms need lab coats?");
        edited.clear();
        edited.sendKeys("Which rooms need goggles?");
        provider.enqueue(FakeChatServer.Script.text("Goggles in B2."));
        browser.findElement(By.cssSelector("#messages article.user .editor button[type=submit]")).click();
        wait.until(driver -> version().equals("2/2"));
        assertThat(browser.findElement(By.cssSelector("#messages article.user .text")).getText())
                .isEqualTo("Which rooms need goggles?");
        assertThat(lastAnswer()).isEqualTo("Goggles in B2.");
        browser.findElement(By.cssSelector("nav.versions button[aria-label='Previous version']")).click();
        wait.until(driver -> version().equals("1/2"));
        assertThat(browser.findElement(By.cssSelector("#messages article.user .text")).getText())
                .isEqualTo("Which rooms need lab coats?");
        assertThat(lastAnswer()).isEqualTo("Coats in the B rooms.");
    }

    @Test
    void aCodeBlockIsCopiedWithItsButton() {
        signIn(userWithKey());
        new Select(browser.findElement(By.id("model"))).selectByValue(model());
        String code = "def needs_coat(room):\n    return room.startswith(\"B\")\n";
        provider.enqueue(FakeChatServer.Script.text("Like this:\n\n```python\n" + code + "```\n").inChunks(5));
        ask("How do I check a room?");
        WebElement answer = answerWithStatus(1, "complete");
        browser.executeCdpCommand("Browser.grantPermissions", Map.of("origin", api.baseUrl(), "permissions",
                List.of("clipboardReadWrite", "clipboardSanitizedWrite")));

        assertThat(answer.findElements(By.cssSelector("pre code.hljs .hljs-keyword"))).as("highlighted")
                .extracting(WebElement::getText).contains("def", "return");
        WebElement copy = answer.findElement(By.cssSelector("pre button.copy"));
        assertThat(copy.getAttribute("aria-label")).isEqualTo("Copy the code");
        copy.click();
        wait.until(ExpectedConditions.textToBePresentInElement(copy, "Copied"));
        Object copied = browser.executeAsyncScript(
                "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))");
        assertThat(copied).isEqualTo(code);
    }

    /**
     * The version shown of the message that has several, or "". Read in one script, so that the page drawn again
     * between finding the element and reading it cannot fail the read: ChromeDriver reports such a node as stale only
     * sometimes, and otherwise as "Node with given id does not belong to the document" (a CI run, 2026-12-07).
     */
    private String version() {
        return (String) browser.executeScript("const shown = document.querySelector('#messages nav.versions span');"
                + " return shown ? shown.innerText.trim() : '';");
    }

    private String lastAnswer() {
        return browser.findElement(By.cssSelector("#messages article.assistant:last-of-type .markdown")).getText();
    }

    /** @return the id of a new chat of {@code user}'s with that title and no message */
    private String chat(TestUsers.Account user, String title) {
        Api.Response created = api.post("/api/v1/chats", Map.of("title", title), user.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().path("chat").path("id").asString();
    }

    /** The chats of the sidebar, top to bottom, by id. */
    private List<String> chatLinks() {
        return browser.findElements(By.cssSelector("#chat-list > li > a")).stream()
                .map(link -> link.getAttribute("href").replaceAll(".*/chats/", "")).toList();
    }

    /** A chat's actions in the sidebar, opened. */
    private WebElement actions(String chatId) {
        WebElement details = browser.findElement(By.cssSelector("#chat-list a[href='/chats/" + chatId
                + "'] + details"));
        if (details.getAttribute("open") == null) {
            details.findElement(By.tagName("summary")).click();
        }
        return details;
    }

    private WebElement button(String chatId, String label) {
        return actions(chatId).findElement(By.xpath(".//button[normalize-space()='" + label + "']"));
    }

    /**
     * Both themes follow the system setting and both layouts fit: a phone hides the chat list behind a button. The
     * screenshots it takes are the README's ({@code docs/screenshots}).
     */
    @Test
    void pagesFollowTheSystemThemeAndFitAPhoneAndAreShotForTheReadme() throws IOException {
        Map<String, Dimension> sizes = new LinkedHashMap<>();
        sizes.put("desktop", Browsers.DESKTOP);
        sizes.put("phone", Browsers.PHONE);
        try {
            open("/signin");
            Map<String, Object> backgrounds = new LinkedHashMap<>();
            for (String scheme : new String[]{"light", "dark"}) {
                Browsers.colorScheme(browser, scheme);
                backgrounds.put(scheme, browser.executeScript(
                        "return getComputedStyle(document.body).backgroundColor"));
                for (Map.Entry<String, Dimension> size : sizes.entrySet()) {
                    browser.manage().window().setSize(size.getValue());
                    Browsers.shoot(browser, "signin-" + size.getKey() + "-" + scheme);
                }
            }
            assertThat(backgrounds.get("dark")).isNotEqualTo(backgrounds.get("light"));

            Browsers.colorScheme(browser, "light");
            browser.manage().window().setSize(Browsers.DESKTOP);
            signIn(userWithKey());
            new Select(browser.findElement(By.id("model"))).selectByValue(model());
            provider.enqueue(FakeChatServer.Script.text("""
                    Rooms **B1** to **B4** require lab coats. Goggles are needed where you see this sign:

                    | room | coat | goggles |
                    |---|---|---|
                    | B1 | yes | yes |
                    | B2 | yes | no |

                    ```python
                    def needs_coat(room):
                        return room.startswith("B")
                    ```
                    """).inChunks(12));
            ask("Which rooms need lab coats?");
            answerWithStatus(1, "complete");
            for (String scheme : new String[]{"light", "dark"}) {
                Browsers.colorScheme(browser, scheme);
                for (Map.Entry<String, Dimension> size : sizes.entrySet()) {
                    browser.manage().window().setSize(size.getValue());
                    Browsers.shoot(browser, "chat-" + size.getKey() + "-" + scheme);
                }
            }
            // At phone width the chat list waits behind its button, which says whether it is open.
            WebElement toggle = browser.findElement(By.id("sidebar-toggle"));
            assertThat(toggle.isDisplayed()).isTrue();
            assertThat(browser.findElement(By.id("sidebar")).isDisplayed()).isFalse();
            toggle.click();
            assertThat(browser.findElement(By.id("sidebar")).isDisplayed()).isTrue();
            assertThat(toggle.getAttribute("aria-expanded")).isEqualTo("true");
        } finally {
            Browsers.colorScheme(browser, "light");
            browser.manage().window().setSize(Browsers.DESKTOP);
        }
    }
}
