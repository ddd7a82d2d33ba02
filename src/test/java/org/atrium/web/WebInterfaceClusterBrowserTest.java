package org.atrium.web;

import org.atrium.testing.Api;
import org.atrium.testing.Cluster;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interface on two replicas (two Atrium processes on two ports, one PostgreSQL, one Redis), as a load balancer
 * without affinity would send a browser to either: an answer begun on one replica is followed to its end from the
 * other, and a promotion made through one is seen by the member's next page on the other.
 */
class WebInterfaceClusterBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void anAnswerIsFollowedOnTheOtherReplicaAndAPromotionIsSeenThereOnTheNextPage() {
        ChromeDriver browser = Browsers.start();
        try (FakeChatServer provider = FakeChatServer.start();
             Cluster cluster = Cluster.start("web", 2, Map.of("ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES", "true"))) {
            provider.models("m");
            Api first = cluster.api(0);
            Api second = cluster.api(1);
            Api.Response admin = first.post("/api/v1/auth/signup", Map.of("email", TestUsers.uniqueEmail("admin"),
                    "name", "Admin", "password", TestUsers.PASSWORD), null);
            assertThat(admin.status()).as(admin.text()).isEqualTo(201);
            String adminToken = admin.json().path("token").asString();
            String connection = "web-" + UUID.randomUUID().toString().substring(0, 8);
            Api.Response added = first.post("/api/v1/connections", Map.of("name", connection, "kind", "openai",
                    "baseUrl", provider.openAiBaseUrl()), adminToken);
            assertThat(added.status()).as(added.text()).isEqualTo(201);
            String email = TestUsers.uniqueEmail("member");
            Api.Response member = second.post("/api/v1/auth/signup", Map.of("email", email, "name", "Member",
                    "password", TestUsers.PASSWORD), null);
            assertThat(member.status()).as(member.text()).isEqualTo(201);
            String memberId = member.json().path("user").path("id").asString();
            assertThat(first.patch("/api/v1/users/" + memberId, Map.of("role", "user"), adminToken).status())
                    .isEqualTo(200);
            Api.Response key = second.post("/api/v1/me/credentials", Map.of("connection", connection, "kind",
                    "api_key", "name", "mine", "secret", "sk-member-0123456789abcdef"),
                    member.json().path("token").asString());
            assertThat(key.status()).as(key.text()).isEqualTo(201);

            // Asked on the first replica; the answer stalls after a few words.
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            Browsers.signIn(browser, first.baseUrl(), new TestUsers.Account(UUID.fromString(memberId), email,
                    TestUsers.PASSWORD, null));
            new Select(browser.findElement(By.id("model"))).selectByValue(connection + "/m");
            String words = IntStream.range(0, 30).mapToObj(i -> "r" + i + " ").collect(Collectors.joining());
            provider.enqueue(FakeChatServer.Script.text(words).inChunks(30).stallAfter(3, Duration.ofSeconds(4)));
            WebElement box = browser.findElement(By.id("message"));
            box.sendKeys("Count on both replicas");
            box.sendKeys(Keys.ENTER);
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                    "#messages article.assistant[data-message-id][data-status='in_progress']")));
            wait.until(ExpectedConditions.urlMatches("/chats/[0-9a-f-]{36}$"));
            String chatPath = browser.getCurrentUrl().substring(first.baseUrl().length());

            // The same session on the second replica follows it from the saved part to the end.
            browser.get(second.baseUrl() + chatPath);
            WebElement answer = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                    "#messages article.assistant[data-status='complete']")));
            assertThat(answer.getText()).contains("r0").contains("r29");

            // Promoted through the first replica: the member's next page on the second offers administration.
            assertThat(browser.findElements(By.id("admin-link"))).isEmpty();
            assertThat(first.patch("/api/v1/users/" + memberId, Map.of("role", "admin"), adminToken).status())
                    .isEqualTo(200);
            browser.get(second.baseUrl() + "/settings");
            assertThat(browser.findElements(By.id("admin-link"))).hasSize(1);
            browser.findElement(By.id("admin-link")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("users")));
        } finally {
            browser.quit();
        }
    }
}
