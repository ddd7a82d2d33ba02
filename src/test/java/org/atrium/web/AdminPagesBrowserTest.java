package org.atrium.web;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin and group pages in headless Chromium: an instance admin approves, promotes and deletes accounts, adds a
 * connection with a shared key and tests it, creates a group; a group admin gives the group a virtual key and its
 * embedding model, after which a member chats through that key.
 */
class AdminPagesBrowserTest extends BrowserTest {

    private FakeChatServer provider;
    private WebDriverWait wait;

    @BeforeEach
    void startProvider() {
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        provider = FakeChatServer.start();
        provider.models("m");
    }

    @AfterEach
    void stopProvider() {
        assertThat(Browsers.policyViolations(browser)).as("htmx and the pages' scripts within the CSP").isEmpty();
        signOut();
        provider.close();
    }

    private void signOut() {
        browser.get(api.baseUrl() + "/signin");
        browser.manage().deleteAllCookies();
    }

    private WebElement userRow(TestUsers.Account account) {
        return browser.findElement(By.cssSelector("#users tr[data-user-id='" + account.id() + "']"));
    }

    private void submit(String formId) {
        Browsers.clickAndAwaitNewPage(browser, browser.findElement(By.cssSelector("#" + formId
                + " button[type=submit]")));
    }

    private void click(WebElement button) {
        Browsers.clickAndAwaitNewPage(browser, button);
    }

    private void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    @Test
    void anInstanceAdminManagesAccountsConnectionsSharedKeysAndGroups() throws IOException {
        TestUsers.Account admin = users.admin();
        TestUsers.Account pending = users.pending();
        TestUsers.Account member = users.user();
        TestUsers.Account leaving = users.user();
        Browsers.signIn(browser, api.baseUrl(), admin);
        browser.findElement(By.id("admin-link")).click();
        wait.until(ExpectedConditions.urlMatches("/admin$"));

        assertThat(userRow(pending).getText()).contains("waiting for approval");
        // htmx posts the form and swaps in the page the answer draws: the document stays, and so does the address.
        browser.executeScript("window.sameDocument = true;");
        click(userRow(pending).findElement(By.xpath(".//button[text()='Approve']")));
        assertThat(userRow(pending).getAttribute("data-role")).isEqualTo("user");
        assertThat(browser.executeScript("return window.sameDocument === true;")).as("not reloaded").isEqualTo(true);
        assertThat(browser.getCurrentUrl()).endsWith("/admin");
        assertThat(api.get("/api/v1/auth/me", pending.token()).json().path("role").asString())
                .isEqualTo("user");

        click(userRow(member).findElement(By.xpath(".//button[text()='Make admin']")));
        assertThat(userRow(member).getAttribute("data-role")).isEqualTo("admin");
        // Declining the confirmation posts nothing, htmx's request included.
        userRow(leaving).findElement(By.xpath(".//button[text()='Delete']")).click();
        wait.until(ExpectedConditions.alertIsPresent()).dismiss();
        browser.navigate().refresh(); // after any request the click might have sent
        assertThat(userRow(leaving).isDisplayed()).isTrue();
        assertThat(api.get("/api/v1/auth/me", leaving.token()).status()).as("declined").isEqualTo(200);
        userRow(leaving).findElement(By.xpath(".//button[text()='Delete']")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(driver -> driver.findElements(By.cssSelector("#users tr[data-user-id='" + leaving.id() + "']"))
                .isEmpty());
        assertThat(api.get("/api/v1/auth/me", leaving.token()).status()).isEqualTo(401);

        // A connection, tested before and after a shared key applies to the admin.
        String name = "gw-" + UUID.randomUUID().toString().substring(0, 8);
        type("connection-name", name);
        new Select(browser.findElement(By.id("connection-kind"))).selectByValue("openai");
        type("connection-url", provider.openAiBaseUrl());
        submit("add-connection");
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#connections tr[data-connection='" + name + "']")));
        assertThat(row.getText()).contains("enabled");
        click(row.findElement(By.xpath(".//button[text()='Test']")));
        assertThat(browser.findElement(By.id("tested")).getText())
                .contains(name).contains("unavailable").contains("No credential of yours applies");
        type("credential-connection", name);
        type("credential-name", "Company key");
        type("credential-secret", "sk-company-0123456789abcdef");
        submit("add-credential");
        assertThat(browser.findElement(By.id("credentials")).getText()).contains("Company key");
        assertThat(browser.getPageSource()).doesNotContain("sk-company-0123456789abcdef");
        click(browser.findElement(By.cssSelector("#connections tr[data-connection='" + name + "'] button")));
        assertThat(browser.findElement(By.id("tested")).getText())
                .contains(name + ": ok").contains(name + "/m");
        click(browser.findElement(By.xpath("//tr[@data-connection='" + name + "']//button[text()='Disable']")));
        assertThat(browser.findElement(By.cssSelector("#connections tr[data-connection='" + name + "']")).getText())
                .contains("disabled");

        Browsers.shoot(browser, "admin-desktop-light");

        // The instance's settings: what the form saves is what every member inherits (restored afterwards: the
        // instance layer is every test's).
        Object before = api.get("/api/v1/settings/instance", admin.token()).json().path("settings");
        try {
            type("setting-systemPrompt", "You help the whole company.");
            new Select(browser.findElement(By.id("setting-features-titleGeneration"))).selectByValue("false");
            submit("instance-settings");
            var stored = api.get("/api/v1/settings/instance", admin.token()).json().path("settings");
            assertThat(stored.path("systemPrompt").asString()).isEqualTo("You help the whole company.");
            assertThat(stored.path("features.titleGeneration").asBoolean(true)).isFalse();
            assertThat(api.get("/api/v1/me/effective-state", member.token()).json().path("settings")
                    .path("systemPrompt").path("value").asString()).isEqualTo("You help the whole company.");
            assertThat(new Select(browser.findElement(By.id("setting-features-titleGeneration")))
                    .getFirstSelectedOption().getText()).isEqualTo("No");
        } finally {
            assertThat(api.put("/api/v1/settings/instance", Map.of("settings", before), admin.token()).status())
                    .isEqualTo(200);
        }
        String groupName = "Research " + UUID.randomUUID().toString().substring(0, 6);
        type("group-name", groupName);
        submit("create-group");
        wait.until(ExpectedConditions.urlMatches("/groups/[0-9a-f-]{36}$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Group " + groupName);

        // The promoted member's next page offers administration.
        signOut();
        Browsers.signIn(browser, api.baseUrl(), member);
        assertThat(browser.findElements(By.id("admin-link"))).hasSize(1);
    }

    @Test
    void aGroupAdminGivesTheGroupAVirtualKeyAndItsEmbeddingAndAMemberThenChats() {
        TestUsers.Account admin = users.admin();
        String connection = "vk-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        UUID group = users.group(admin, "team");
        TestUsers.Account groupAdmin = users.user();
        TestUsers.Account member = users.user();
        users.member(admin, group, groupAdmin, "admin");
        users.member(admin, group, member, "member");
        UUID handbook = new org.atrium.testing.Knowledge(api).groupCollection(admin, group, "Team handbook");

        Browsers.signIn(browser, api.baseUrl(), groupAdmin);
        assertThat(browser.findElements(By.id("admin-link"))).as("not an instance admin").isEmpty();
        browser.findElement(By.linkText("Settings")).click();
        browser.findElement(By.cssSelector("#groups a")).click();
        wait.until(ExpectedConditions.urlMatches("/groups/" + group + "$"));
        assertThat(browser.findElement(By.id("members")).getText()).contains(member.email());
        assertThat(browser.findElement(By.linkText("Team handbook")).getAttribute("href"))
                .endsWith("/knowledge/" + handbook);
        type("group-credential-connection", connection);
        new Select(browser.findElement(By.id("group-credential-kind"))).selectByValue("virtual_key");
        type("group-credential-name", "Team gateway key");
        type("group-credential-secret", "vk-team-0123456789abcdef");
        submit("add-group-credential");
        WebElement keys = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("group-credentials")));
        assertThat(keys.getText()).contains(connection).contains("virtual key").doesNotContain("0123456789");
        assertThat(browser.findElements(By.id("group-priority"))).as("instance admins only").isEmpty();
        type("setting-embedding-connection", "fake");
        type("setting-embedding-model", "keywords-v1");
        browser.executeScript("document.getElementById('setting-allowedModels').value ="
                + " Array.from({length: 101}, (_, i) => 'model-' + i).join('\\n');");
        submit("group-settings");
        WebElement refusal = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("page-error")));
        assertThat(refusal.getText()).startsWith("The settings were not saved: the allowedModels ").contains("100");
        wait.until(driver -> refusal.equals(driver.switchTo().activeElement()));
        browser.findElement(By.id("setting-allowedModels")).clear();
        type("setting-quotas-requestsPerMinute", "600");
        submit("group-settings");
        assertThat(browser.findElement(By.id("setting-quotas-requestsPerMinute")).getAttribute("value"))
                .isEqualTo("600");
        assertThat(api.get("/api/v1/groups/" + group + "/settings", admin.token()).json().path("settings")
                .path("embedding.model").asString()).isEqualTo("keywords-v1");

        signOut();
        Browsers.signIn(browser, api.baseUrl(), member);
        new Select(browser.findElement(By.id("model"))).selectByValue(connection + "/m");
        provider.enqueue(FakeChatServer.Script.text("Through the team's key."));
        WebElement box = browser.findElement(By.id("message"));
        box.sendKeys("Which key is this?");
        box.sendKeys(Keys.ENTER);
        WebElement answer = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#messages article.assistant[data-status='complete']")));
        assertThat(answer.getText()).contains("Through the team's key.");
        assertThat(provider.requests().getLast().headers().get("authorization"))
                .isEqualTo("Bearer vk-team-0123456789abcdef");

        // What the member spent through the group's key is charged to the group, for its admin to see.
        signOut();
        Browsers.signIn(browser, api.baseUrl(), groupAdmin);
        new WebDriverWait(browser, Duration.ofSeconds(30)).pollingEvery(Duration.ofMillis(500)).until(driver -> {
            driver.get(api.baseUrl() + "/groups/" + group + "/usage");
            return driver.findElement(By.id("usage-totals")).getText().contains(member.email());
        });
        assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith("Usage charged to ");
        assertThat(browser.findElements(By.id("models-in-use"))).as("instance admins only").isEmpty();
    }

    @Test
    void theUsageDashboardChartsTokensByConnectionAndShowsTheModelsInUseLive() throws Exception {
        TestUsers.Account admin = users.admin();
        String connection = "use-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post("/api/v1/connections", Map.of("name", connection, "kind", "openai", "baseUrl",
                provider.openAiBaseUrl()), admin.token()).status()).isEqualTo(201);
        TestUsers.Account member = users.user();
        Api.Response key = api.post("/api/v1/me/credentials", Map.of("connection", connection, "kind", "api_key",
                "name", "mine", "secret", "sk-mine-0123456789abcdef"), member.token());
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        Browsers.signIn(browser, api.baseUrl(), admin);
        browser.get(api.baseUrl() + "/admin");
        click(browser.findElement(By.id("usage-link")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Usage");
        assertThat(browser.findElement(By.id("in-use-rows")).getText()).doesNotContain(connection);

        // An answer that streams for a while shows up on the open page, then leaves it when it ends.
        provider.enqueue(FakeChatServer.Script.text("Slowly, then done.").inChunks(2)
                .stallAfter(1, Duration.ofSeconds(6)).withUsage(30, 12));
        CompletableFuture<Integer> answered = answerInBackground(member, connection + "/m");
        wait.until(driver -> driver.findElement(By.id("in-use-rows")).getText().contains(connection));
        assertThat(browser.findElement(By.id("in-use-rows")).getText()).contains("m").contains(connection);
        assertThat(browser.findElement(By.id("in-use-summary")).getText()).contains("streaming");
        assertThat(answered.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        wait.until(driver -> !driver.findElement(By.id("in-use-rows")).getText().contains(connection));

        // Its tokens reach the dashboard once this replica has flushed its usage (every few seconds).
        new WebDriverWait(browser, Duration.ofSeconds(30)).pollingEvery(Duration.ofMillis(500)).until(driver -> {
            driver.get(api.baseUrl() + "/admin/usage?days=7&by=connection");
            return driver.findElement(By.id("usage-totals")).getText().contains(connection);
        });
        WebElement row = browser.findElement(By.xpath("//table[@id='usage-totals']//tr[td[1][text()='"
                + connection + "']]"));
        assertThat(row.findElements(By.tagName("td"))).extracting(WebElement::getText)
                .containsExactly(connection, "1", "42", "30", "12", "0");
        assertThat(new Select(browser.findElement(By.id("usage-by"))).getFirstSelectedOption().getText())
                .isEqualTo("Connection");
        Object charted = browser.executeScript("const chart = window.Chart.getChart('usage-chart');"
                + " return chart ? chart.data.datasets.map(d => d.label) : null;");
        assertThat(charted).as("the chart is drawn with a stack per connection").asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.LIST).isNotEmpty();
        browser.executeScript("document.getElementById('usage-heading').scrollIntoView();");
        Browsers.shoot(browser, "usage-desktop-light");

        // The period and dimension are chosen with the form; a plain member is turned away.
        new Select(browser.findElement(By.id("usage-by"))).selectByValue("user");
        submit("usage-filter");
        assertThat(browser.getCurrentUrl()).contains("by=user");
        assertThat(browser.findElement(By.id("usage-totals")).getText()).contains(member.email());
        signOut();
        Browsers.signIn(browser, api.baseUrl(), member);
        browser.get(api.baseUrl() + "/admin/usage");
        assertThat(browser.findElements(By.id("usage-totals"))).isEmpty();
    }

    @Test
    void aGroupAdminInvitesByEmailAndTheInvitedPersonJoinsFromTheirSettingsPage() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "invite");
        TestUsers.Account groupAdmin = users.user();
        TestUsers.Account invitee = users.user();
        users.member(admin, group, groupAdmin, "admin");
        String groupName = api.get("/api/v1/groups/" + group, admin.token()).json().path("name").asString();

        Browsers.signIn(browser, api.baseUrl(), groupAdmin);
        browser.get(api.baseUrl() + "/groups/" + group);
        type("invite-email", "nobody-" + UUID.randomUUID() + "@example.org");
        submit("invite");
        assertThat(browser.findElement(By.id("page-error")).getText())
                .isEqualTo("The invitation was not sent: No account has this e-mail address.");
        type("invite-email", invitee.email());
        submit("invite");
        assertThat(browser.findElement(By.id("invitations")).getText()).contains(invitee.email()).contains("member");
        assertThat(browser.findElement(By.id("members")).getText()).doesNotContain(invitee.email());

        signOut();
        Browsers.signIn(browser, api.baseUrl(), invitee);
        browser.get(api.baseUrl() + "/settings");
        WebElement invitation = browser.findElement(By.id("invitations"));
        assertThat(invitation.getText()).contains("You are invited to join " + groupName + " as member");
        click(invitation.findElement(By.xpath(".//button[text()='Accept']")));
        assertThat(browser.findElements(By.id("invitations"))).isEmpty();
        assertThat(browser.findElement(By.id("profile")).getText()).contains(groupName + " (member)");
        assertThat(api.get("/api/v1/groups/" + group + "/members", admin.token()).json().path("items").toString())
                .contains(invitee.email());
    }

    /** Asks for an answer through the API, as a member's other tab would, and returns its status when it ends. */
    private CompletableFuture<Integer> answerInBackground(TestUsers.Account member, String model) {
        Api.Response chat = api.post("/api/v1/chats", Map.of("title", "t", "message", Map.of("content",
                "Tell me slowly.")), member.token());
        assertThat(chat.status()).as(chat.text()).isEqualTo(201);
        String chatId = chat.json().path("chat").path("id").asString();
        String questionId = chat.json().path("messages").get(0).path("message").path("id").asString();
        HttpClient client = HttpClient.newHttpClient();
        return client.sendAsync(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/v1/chats/" + chatId
                                + "/answers"))
                        .header("Authorization", "Bearer " + member.token())
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"questionId\":\"" + questionId
                                + "\",\"model\":\"" + model + "\"}")).build(),
                HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode).whenComplete((status, failure) -> client.close());
    }
}
