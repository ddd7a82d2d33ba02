package org.atrium.web;

import org.atrium.testing.Api;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings page in headless Chromium: who the member is, what applies to them and from where, an API key shown
 * once and working until revoked, their own provider key taking over from their group's, and a promotion by an admin
 * seen on the next page.
 */
class SettingsPagesBrowserTest extends BrowserTest {

    private String cell(String tableId, String rowText, int column) {
        return browser.findElement(By.xpath("//table[@id='" + tableId + "']//tr[td[contains(., '" + rowText
                + "')]]/td[" + column + "]")).getText();
    }

    @Test
    void aMemberSeesWhereTheirSettingsComeFromAndManagesTheirKeys() throws IOException {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "research");
        new Knowledge(api).setGroupEmbedding(admin, group, "fake", "keywords-v1");
        new Knowledge(api).addGroupCredential(admin, group, "fake", "sk-group-secret-0123456789");
        TestUsers.Account member = users.user();
        users.member(admin, group, member, "member");
        String groupName = api.get("/api/v1/groups/" + group, admin.token()).json().path("name").asString();

        Browsers.signIn(browser, api.baseUrl(), member);
        browser.findElement(By.linkText("Settings")).click();
        wait.until(ExpectedConditions.urlMatches("/settings$"));
        assertThat(browser.findElement(By.id("profile")).getText()).contains(member.email()).contains("user")
                .contains(groupName + " (member)");

        // The member's name: a disguised one is refused and stays in the field; a plain one is saved.
        browser.executeScript("document.getElementById('profile-name').value = 'Admin\u202Etxt.exe';");
        Browsers.clickAndAwaitNewPage(browser, browser.findElement(By.cssSelector("#rename button[type=submit]")));
        assertThat(browser.findElement(By.id("profile-error")).getText())
                .startsWith("The name was not changed: the name must not contain control characters");
        assertThat(browser.findElement(By.id("profile-name")).getAttribute("value")).isEqualTo("Admin\u202Etxt.exe");
        WebElement name = browser.findElement(By.id("profile-name"));
        name.clear();
        name.sendKeys("Grace Renamed");
        Browsers.clickAndAwaitNewPage(browser, browser.findElement(By.cssSelector("#rename button[type=submit]")));
        assertThat(browser.findElements(By.id("profile-error"))).isEmpty();
        assertThat(browser.findElement(By.id("profile-name")).getAttribute("value")).isEqualTo("Grace Renamed");
        assertThat(api.get("/api/v1/auth/me", member.token()).json().path("name").asString())
                .isEqualTo("Grace Renamed");
        assertThat(cell("effective-settings", "embedding.connection", 2)).isEqualTo("fake");
        assertThat(cell("effective-settings", "embedding.connection", 3)).isEqualTo("Group " + groupName);
        assertThat(cell("effective-credentials", "fake", 3)).isEqualTo("Group " + groupName);
        assertThat(cell("effective-credentials", "fake", 2)).doesNotContain("0123456789");

        // An API key, shown once, works until it is revoked.
        browser.findElement(By.id("api-key-name")).sendKeys("nightly export");
        browser.findElement(By.cssSelector("#create-api-key button[type=submit]")).click();
        WebElement shown = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("new-api-key")));
        String key = shown.getAttribute("value");
        assertThat(key).isNotBlank();
        assertThat(api.get("/api/v1/auth/me", key).status()).isEqualTo(200);
        browser.get(api.baseUrl() + "/settings");
        assertThat(browser.findElements(By.id("new-api-key"))).as("never shown again").isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(key);
        assertThat(cell("api-keys", "nightly export", 2)).endsWith(key.substring(key.length() - 4));
        browser.findElement(By.cssSelector("#api-keys button")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-api-keys")));
        assertThat(api.get("/api/v1/auth/me", key).status()).as("revoked").isEqualTo(401);

        // The member's own provider key comes before the group's, and goes back to it when deleted.
        browser.findElement(By.id("provider-connection")).sendKeys("fake");
        new Select(browser.findElement(By.id("provider-kind"))).selectByValue("api_key");
        browser.findElement(By.id("provider-name")).sendKeys("mine");
        browser.findElement(By.id("provider-secret")).sendKeys("sk-mine-secret-abcdefghij");
        browser.findElement(By.cssSelector("#add-provider-key button[type=submit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("provider-keys")));
        assertThat(browser.getPageSource()).doesNotContain("sk-mine-secret-abcdefghij");
        assertThat(cell("effective-credentials", "fake", 3)).isEqualTo("You");
        Browsers.shoot(browser, "settings-desktop-light");
        browser.findElement(By.cssSelector("#provider-keys button")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("provider-keys")));
        assertThat(cell("effective-credentials", "fake", 3)).isEqualTo("Group " + groupName);

        // Promoted by an admin: the member's next page says so.
        Api.Response promoted = api.patch("/api/v1/users/" + member.id(), Map.of("role", "admin"), admin.token());
        assertThat(promoted.status()).as(promoted.text()).isEqualTo(200);
        browser.navigate().refresh();
        assertThat(browser.findElement(By.id("profile")).getText()).contains("admin");
        assertThat(cell("effective-settings", "permissions.createApiKeys", 3)).startsWith("Your role (admin)");
    }

    private void changePassword(String current, String next, String repeated) {
        browser.findElement(By.id("current-password")).sendKeys(current);
        browser.findElement(By.id("new-password")).sendKeys(next);
        browser.findElement(By.id("repeated-password")).sendKeys(repeated);
        Browsers.clickAndAwaitNewPage(browser, browser.findElement(By.cssSelector(
                "#change-password button[type=submit]")));
    }

    @Test
    void aMemberChangesTheirPasswordWhichEndsTheirOtherSessionsAndSetsTheirOwnSettings() {
        TestUsers.Account member = users.user();
        Api.Response elsewhere = api.post("/api/v1/auth/signin", Map.of("email", member.email(), "password",
                member.password()), null);
        assertThat(elsewhere.status()).as(elsewhere.text()).isEqualTo(200);
        String otherSession = elsewhere.json().path("token").asString();
        Browsers.signIn(browser, api.baseUrl(), member);
        browser.get(api.baseUrl() + "/settings");

        changePassword("not my password", "a brand new password", "a brand new password");
        assertThat(browser.findElement(By.id("password-error")).getText())
                .isEqualTo("The password was not changed: the currentPassword is not your current password.");
        changePassword(member.password(), "a brand new password", "a different password");
        assertThat(browser.findElement(By.id("password-error")).getText()).contains("does not match");
        assertThat(api.get("/api/v1/auth/me", otherSession).status()).as("nothing changed yet").isEqualTo(200);

        changePassword(member.password(), "a brand new password", "a brand new password");
        assertThat(browser.findElement(By.id("password-changed")).getText())
                .isEqualTo("Your password was changed, and 2 other sessions were signed out.");
        assertThat(api.get("/api/v1/auth/me", otherSession).status()).as("signed out elsewhere").isEqualTo(401);
        assertThat(api.get("/api/v1/auth/me", member.token()).status()).as("the test's own session too")
                .isEqualTo(401);
        browser.get(api.baseUrl() + "/settings");
        assertThat(browser.getCurrentUrl()).as("this browser stays signed in").endsWith("/settings");
        assertThat(api.post("/api/v1/auth/signin", Map.of("email", member.email(), "password",
                member.password()), null).status()).isEqualTo(401);
        assertThat(api.post("/api/v1/auth/signin", Map.of("email", member.email(), "password",
                "a brand new password"), null).status()).isEqualTo(200);

        // Their own system prompt wins over the instance's, and an empty field inherits again.
        WebElement prompt = browser.findElement(By.id("setting-systemPrompt"));
        prompt.sendKeys("Answer like a pirate.");
        new Select(browser.findElement(By.id("setting-features-titleGeneration"))).selectByValue("false");
        Browsers.clickAndAwaitNewPage(browser, browser.findElement(By.cssSelector("#overrides button[type=submit]")));
        assertThat(cell("effective-settings", "systemPrompt", 2)).isEqualTo("Answer like a pirate.");
        assertThat(cell("effective-settings", "systemPrompt", 3)).isEqualTo("You");
        assertThat(cell("effective-settings", "features.titleGeneration", 2)).isEqualTo("false");
        assertThat(browser.findElement(By.id("setting-systemPrompt")).getAttribute("value"))
                .isEqualTo("Answer like a pirate.");
        assertThat(browser.findElements(By.id("setting-allowedModels"))).as("not a member's to set").isEmpty();
        browser.findElement(By.id("setting-systemPrompt")).clear();
        Browsers.clickAndAwaitNewPage(browser, browser.findElement(By.cssSelector("#overrides button[type=submit]")));
        assertThat(cell("effective-settings", "systemPrompt", 3)).isEqualTo("Instance default");
        assertThat(cell("effective-settings", "features.titleGeneration", 3)).isEqualTo("You");
    }
}
