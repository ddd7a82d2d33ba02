package org.atrium.web;

import org.atrium.testing.Api;
import org.atrium.testing.FakeConnection;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The knowledge pages in headless Chromium against an Atrium on a random port, embedding with the fake provider of
 * the test suite: create a collection, upload by choosing and by dropping, watch each file's progress reach
 * ready without reloading, a refused file told on its own row, search, share, remove and delete.
 */
class KnowledgePagesBrowserTest extends BrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private WebDriverWait wait;
    private TestUsers.Account member;
    private String groupName;

    /** A member of a group whose admins chose the embedding model and gave its key, as a workspace is set up. */
    @BeforeEach
    void member() {
        wait = new WebDriverWait(browser, WAIT);
        Knowledge knowledge = new Knowledge(api);
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "kb");
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-kb-secret-1234");
        member = users.user();
        users.member(admin, group, member, "admin");
        groupName = api.get("/api/v1/groups/" + group, admin.token()).json().path("name").asString();
    }

    private WebElement row(String fileName) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath(
                "//tbody[@id='file-rows']/tr[td[@class='name' and text()='" + fileName + "']]")));
    }

    /** The status a file's row shows, or "" while it has none; read in one script, as rows are replaced live. */
    private String statusOf(String fileName) {
        Object status = browser.executeScript("""
                const row = [...document.querySelectorAll('#file-rows tr')]
                    .find((candidate) => candidate.querySelector('.name').textContent === arguments[0]);
                return row ? row.querySelector('.status').textContent : '';
                """, fileName);
        return String.valueOf(status);
    }

    /** The page as it is now, for the README: desktop in light, phone in dark. */
    private void shootForTheReadme(String name) throws IOException {
        try {
            Browsers.shoot(browser, name + "-desktop-light");
            Browsers.colorScheme(browser, "dark");
            browser.manage().window().setSize(Browsers.PHONE);
            Browsers.shoot(browser, name + "-phone-dark");
        } finally {
            Browsers.colorScheme(browser, "light");
            browser.manage().window().setSize(Browsers.DESKTOP);
        }
    }

    @Test
    void aCollectionIsCreatedFilledWatchedSearchedSharedEmptiedAndDeleted() throws IOException {
        Browsers.signIn(browser, api.baseUrl(), member);
        browser.findElement(By.linkText("Knowledge")).click();
        wait.until(ExpectedConditions.urlMatches("/knowledge$"));
        assertThat(browser.findElement(By.id("no-collections")).getText()).contains("No collection yet");

        browser.findElement(By.id("collection-name")).sendKeys("Orchard notes");
        browser.findElement(By.id("collection-description")).sendKeys("What grows where");
        new Select(browser.findElement(By.id("collection-owner"))).selectByVisibleText("Just me");
        browser.findElement(By.cssSelector("#create-collection button[type=submit]")).click();
        wait.until(ExpectedConditions.urlMatches("/knowledge/[0-9a-f-]{36}$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Orchard notes");
        assertThat(browser.findElement(By.id("counts")).getText()).isEqualTo("0 files");
        String collectionId = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);

        // Every status text a row shows is recorded, and a marker proves the page is never drawn again meanwhile.
        browser.executeScript("""
                window.seen = [];
                window.notReloaded = true;
                new MutationObserver(() => document.querySelectorAll('#file-rows td.status')
                    .forEach((cell) => window.seen.push(cell.closest('tr').querySelector('.name').textContent
                        + ': ' + cell.textContent)))
                  .observe(document.getElementById('file-rows'), {subtree: true, childList: true, characterData: true});
                """);
        Path folder = Files.createTempDirectory("uploads");
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            longText.append("Kiwis ripen in November on the south wall, sentence ").append(i).append(". ");
        }
        Path kiwi = Files.writeString(folder.resolve("kiwi.txt"), longText, StandardCharsets.UTF_8);
        Path binary = Files.write(folder.resolve("firmware.bin"), new byte[]{0, 1, 2, 3, (byte) 0xff, 0, 0, 7, 9});
        browser.findElement(By.id("upload-files")).sendKeys(kiwi + "\n" + binary);

        wait.until(driver -> statusOf("kiwi.txt").startsWith("Ready ("));
        assertThat(statusOf("kiwi.txt")).matches("Ready \\(\\d+ passages\\)");
        wait.until(driver -> statusOf("firmware.bin").startsWith("Not uploaded: "));
        assertThat(statusOf("firmware.bin")).contains("which Atrium does not extract text from");
        // A file dropped on the zone goes the same way.
        browser.executeScript("""
                const files = new DataTransfer();
                files.items.add(new File(['Mangoes need a warm greenhouse.'], 'mango.txt', {type: 'text/plain'}));
                document.getElementById('upload').dispatchEvent(
                    new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true}));
                """);
        wait.until(driver -> statusOf("mango.txt").equals("Ready (1 passage)"));
        assertThat(browser.findElement(By.id("counts")).getText()).as("the refused file is not one of them")
                .isEqualTo("2 files: 2 ready");
        assertThat(browser.executeScript("return window.notReloaded")).isEqualTo(true);
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) browser.executeScript("return window.seen");
        assertThat(seen).as("progress was shown live").contains("kiwi.txt: Uploading")
                .anyMatch(text -> text.matches("kiwi.txt: (Queued|Extracting text|Embedding.*)"))
                .anyMatch(text -> text.startsWith("kiwi.txt: Ready ("));

        // As the server draws it, and searched through retrieval.
        browser.navigate().refresh();
        assertThat(statusOf("kiwi.txt")).matches("Ready \\(\\d+ passages\\)");
        assertThat(browser.findElements(By.xpath("//td[text()='firmware.bin']"))).isEmpty();
        shootForTheReadme("knowledge");
        WebElement query = browser.findElement(By.id("search-query"));
        query.sendKeys("greenhouse mangoes");
        query.submit();
        WebElement results = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("results")));
        assertThat(results.findElements(By.className("result-file")).getFirst().getText()).isEqualTo("mango.txt");
        assertThat(results.findElement(By.tagName("blockquote")).getText())
                .isEqualTo("Mangoes need a warm greenhouse.");

        // Shared with the member's group, then taken back.
        new Select(browser.findElement(By.id("share-group"))).selectByVisibleText("Group " + groupName);
        new Select(browser.findElement(By.id("share-access"))).selectByValue("read");
        browser.findElement(By.cssSelector("#share button[type=submit]")).click();
        WebElement grants = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("grants")));
        assertThat(grants.getText()).contains("Group " + groupName + " may read it");
        Api.Response granted = api.get("/api/v1/collections/" + collectionId + "/grants", member.token());
        assertThat(granted.json().path("items").get(0).path("access").asString()).isEqualTo("read");
        grants.findElement(By.tagName("button")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("grants")));
        assertThat(api.get("/api/v1/collections/" + collectionId + "/grants", member.token()).json().path("items"))
                .isEmpty();

        // Removing asks first; declining keeps the file.
        row("mango.txt").findElement(By.tagName("button")).click();
        wait.until(ExpectedConditions.alertIsPresent()).dismiss();
        assertThat(statusOf("mango.txt")).isEqualTo("Ready (1 passage)");
        row("mango.txt").findElement(By.tagName("button")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(driver -> driver.findElements(By.xpath("//td[text()='mango.txt']")).isEmpty());
        assertThat(browser.findElement(By.id("counts")).getText()).isEqualTo("1 file: 1 ready");

        browser.findElement(By.cssSelector("form[action$='/delete'] button")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.urlMatches("/knowledge$"));
        assertThat(browser.findElement(By.id("no-collections")).isDisplayed()).isTrue();
        assertThat(api.get("/api/v1/collections/" + collectionId, member.token()).status()).isEqualTo(404);
    }

    @Test
    void aQuestionGroundedOnACollectionShowsItsSourcesWhichOpenTheirPassages() {
        Knowledge knowledge = new Knowledge(api);
        UUID collection = knowledge.personalCollection(member, "Fruit notes");
        UUID kiwi = knowledge.upload(member, collection, "kiwi.txt",
                "Kiwis are green inside and ripen in November.".getBytes(StandardCharsets.UTF_8));
        assertThat(knowledge.awaitSettled(member, collection, kiwi).path("status").asString()).isEqualTo("ready");
        try (FakeConnection connection = FakeConnection.open(api, users, "cite", "m")) {
            Api.Response key = api.post("/api/v1/me/credentials", java.util.Map.of("connection", connection.name(),
                    "kind", "api_key", "name", "mine", "secret", "sk-cite-0123456789abcdef"), member.token());
            assertThat(key.status()).as(key.text()).isEqualTo(201);

            Browsers.signIn(browser, api.baseUrl(), member);
            new Select(browser.findElement(By.id("model"))).selectByValue(connection.name() + "/m");
            browser.findElement(By.cssSelector("#knowledge-picker summary")).click();
            browser.findElement(By.xpath("//details[@id='knowledge-picker']//label[contains(., 'Fruit notes')]/input"))
                    .click();
            WebElement box = browser.findElement(By.id("message"));
            box.sendKeys("What is green inside?");
            box.sendKeys(org.openqa.selenium.Keys.ENTER);
            WebElement answer = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#messages article.assistant[data-status='complete']")));
            WebElement source = wait.until(driver -> {
                List<WebElement> links = answer.findElements(By.cssSelector("ol.sources a"));
                return links.isEmpty() || !links.getFirst().getText().startsWith("kiwi.txt") ? null : links.getFirst();
            });
            assertThat(source.getText()).isEqualTo("kiwi.txt, passage 1");
            assertThat(connection.provider().requests()).as("the passage reached the model")
                    .anyMatch(request -> request.body().toString().contains("Kiwis are green inside"));

            // Drawn by the server the same way, and each source opens its passage.
            browser.navigate().refresh();
            WebElement drawn = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#messages article.assistant ol.sources a")));
            assertThat(drawn.getText()).isEqualTo("kiwi.txt, passage 1");
            drawn.click();
            wait.until(ExpectedConditions.urlContains("/knowledge/files/" + kiwi + "/passages/0"));
            assertThat(browser.findElement(By.id("passage")).getText())
                    .isEqualTo("Kiwis are green inside and ripen in November.");
            assertThat(browser.findElement(By.linkText("Fruit notes")).getAttribute("href"))
                    .endsWith("/knowledge/" + collection);

            // A file deleted since: its passage says so.
            assertThat(api.delete("/api/v1/files/" + kiwi, member.token()).status()).isEqualTo(204);
            browser.navigate().refresh();
            assertThat(browser.findElement(By.id("page-error")).getText()).contains("no longer available");
        }
    }

    @Test
    void aFileAttachedInTheChatGroundsTheQuestionAskedWithIt() throws IOException {
        Path folder = Files.createTempDirectory("attachments");
        Path papaya = Files.writeString(folder.resolve("papaya.txt"),
                "Papayas have black seeds and ripen in March.", StandardCharsets.UTF_8);
        Path binary = Files.write(folder.resolve("blob.bin"), new byte[]{0, 1, 2, 3, (byte) 0xff, 0, 0, 7, 9});
        try (FakeConnection connection = FakeConnection.open(api, users, "att", "m")) {
            Api.Response key = api.post("/api/v1/me/credentials", java.util.Map.of("connection", connection.name(),
                    "kind", "api_key", "name", "mine", "secret", "sk-att-0123456789abcdef"), member.token());
            assertThat(key.status()).as(key.text()).isEqualTo(201);
            Browsers.signIn(browser, api.baseUrl(), member);
            new Select(browser.findElement(By.id("model"))).selectByValue(connection.name() + "/m");

            browser.findElement(By.id("attach-files")).sendKeys(papaya + "\n" + binary);
            WebElement refused = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#attached li[data-status='failed']")));
            assertThat(refused.getText()).startsWith("blob.bin").contains("not attached:");
            refused.findElement(By.tagName("button")).click();
            // Asked at once: the question waits for the file to be read, then goes with it.
            WebElement box = browser.findElement(By.id("message"));
            box.sendKeys("What colour are the seeds?");
            box.sendKeys(org.openqa.selenium.Keys.ENTER);
            WebElement answer = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#messages article.assistant[data-status='complete']")));
            assertThat(connection.provider().requests()).as("the attached file's passage reached the model")
                    .anyMatch(request -> request.body().toString().contains("Papayas have black seeds"));
            WebElement source = wait.until(driver -> {
                List<WebElement> links = answer.findElements(By.cssSelector("ol.sources a"));
                return links.isEmpty() ? null : links.getFirst();
            });
            assertThat(source.getText()).isEqualTo("papaya.txt, passage 1");
            assertThat(browser.findElement(By.cssSelector("#messages article.user .attached-files")).getText())
                    .isEqualTo("📎 papaya.txt");
            assertThat(browser.findElements(By.cssSelector("#attached li"))).as("the next question starts afresh")
                    .isEmpty();

            // Drawn by the server the same way; the file is kept in the member's uploads, not in a collection.
            browser.navigate().refresh();
            assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#messages article.user .attached-files"))).getText()).isEqualTo("📎 papaya.txt");
            assertThat(api.get("/api/v1/collections", member.token()).json().path("items").toString())
                    .doesNotContain("papaya");
        }
    }
}
