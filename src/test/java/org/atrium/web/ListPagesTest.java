package org.atrium.web;

import org.atrium.knowledge.BatchUploadService;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long lists on the pages come in pages: the chat list {@link ChatPages#SIDEBAR_CHATS} chats at a time and a
 * collection's files {@link KnowledgePages#LISTED} at a time, with links to the next and previous pages.
 */
class ListPagesTest extends IntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final Pattern CHAT_LINK = Pattern.compile("<a href=\"/chats/[0-9a-f-]{36}\"");
    private static final Pattern FILE_ROW = Pattern.compile("<tr data-file-id=\"[0-9a-f-]{36}\"");

    private String page(String path, TestUsers.Account account) {
        return page(path, account, 200);
    }

    private String page(String path, TestUsers.Account account, int status) {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                    .header("Cookie", "atrium_session=" + account.token()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(status);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("text/html");
            return response.body();
        } catch (IOException | InterruptedException failed) {
            throw new IllegalStateException(failed);
        }
    }

    private static long count(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        long found = 0;
        while (matcher.find()) {
            found++;
        }
        return found;
    }

    @Test
    void theChatListComesInPagesOfAHundredNewestFirst() {
        TestUsers.Account user = users.user();
        int chats = ChatPages.SIDEBAR_CHATS + 5;
        for (int i = 0; i < chats; i++) {
            Api.Response created = api.post("/api/v1/chats", Map.of("title", "Chat number " + i), user.token());
            assertThat(created.status()).as(created.text()).isEqualTo(201);
        }

        String first = page("/chats", user);
        String second = page("/chats?from=" + ChatPages.SIDEBAR_CHATS, user);

        assertThat(count(CHAT_LINK, first)).isEqualTo(ChatPages.SIDEBAR_CHATS);
        assertThat(first).contains("Chat number " + (chats - 1)).doesNotContain(">Chat number 4<")
                .contains("1–100 of 105").contains("href=\"/chats?from=100\"").doesNotContain("rel=\"prev\"");
        assertThat(count(CHAT_LINK, second)).isEqualTo(5);
        assertThat(second).contains(">Chat number 0<").contains(">Chat number 4<").contains("101–105 of 105")
                .contains("href=\"/chats?from=0\"").doesNotContain("rel=\"next\"");
        assertThat(page("/chats?from=-3", user)).contains("1–100 of 105");
        assertThat(page("/chats?from=abc", user, 400)).as("a page that says why, not the API's JSON")
                .contains("data-code=\"invalid_parameter\"").contains("The parameter 'from' is not valid.");
        assertThat(page("/chats?q=number+10", user)).as("a search of few results has no pages")
                .doesNotContain("Pages of chats");
    }

    @Test
    void aCollectionsFilesComeInPagesOfTwoHundredOldestFirst() {
        TestUsers.Account user = users.user();
        Knowledge knowledge = new Knowledge(api);
        UUID collection = knowledge.personalCollection(user, "Many files");
        int files = KnowledgePages.LISTED + 3;
        List<Api.Part> parts = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            parts.add(Api.Part.file("note-" + i + ".txt", ("Note number " + i + ".").getBytes(StandardCharsets.UTF_8)));
            if (parts.size() == BatchUploadService.MAX_FILES_PER_BATCH || i == files - 1) {
                Api.Response batch = api.multipart("/api/v1/collections/" + collection + "/files/batch", parts,
                        user.token());
                assertThat(batch.status()).as(batch.text()).isEqualTo(200);
                parts.clear();
            }
        }

        String first = page("/knowledge/" + collection, user);
        String second = page("/knowledge/" + collection + "?from=" + KnowledgePages.LISTED, user);

        assertThat(count(FILE_ROW, first)).isEqualTo(KnowledgePages.LISTED);
        assertThat(first).contains(">note-0.txt<").contains("Files 1–200 of 203")
                .contains("href=\"/knowledge/" + collection + "?from=200\"");
        assertThat(count(FILE_ROW, second)).isEqualTo(3);
        assertThat(second).contains(">note-202.txt<").doesNotContain(">note-0.txt<")
                .contains("Files 201–203 of 203").contains("href=\"/knowledge/" + collection + "?from=0\"");
    }
}
