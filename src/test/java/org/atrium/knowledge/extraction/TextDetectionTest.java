package org.atrium.knowledge.extraction;

import org.atrium.testing.Documents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text that Tika alone would refuse: prose it takes for a news message or an e-mail, text in legacy character sets
 * and UTF-16 and UTF-32 without a byte order mark; the client's declared text type; and binary data, which no
 * declaration makes text.
 */
class TextDetectionTest {

    private static final TextExtractor EXTRACTOR = new TextExtractor(10_000_000);

    private static final String RUSSIAN = "Российская Федерация — крупнейшее по площади государство мира. "
            + "Москва является столицей и крупнейшим городом страны.\nВторая строка: «цитата» и числа 1 2 3.";
    private static final String JAPANESE = "日本語の文章です。東京は日本の首都であり、世界最大の都市圏の一つです。"
            + "\n二行目には「かぎかっこ」とカタカナのテキストがあります。";
    /** One paragraph of about 300 characters, in one line. */
    private static final String CHINESE = ("北京是中华人民共和国的首都，也是全国的政治、文化、国际交往和科技创新中心。"
            + "这座城市有三千多年的建城史和八百多年的建都史，故宫、天坛和长城等名胜古迹吸引着世界各地的一批批游客。"
            + "今天的北京既保留着传统的胡同和四合院，又拥有现代化的高楼大厦、地铁网络和一座座国际机场。").repeat(3);
    /** Japanese in one long line, with ideographic spaces (U+3000, a NUL low byte, as 一 U+4E00 has). */
    private static final String JAPANESE_LINE = "吾輩は猫である。\u3000名前はまだ無い。\u3000どこで生れたかとんと見当がつかぬ。"
            .repeat(12);
    private static final String FRENCH = "L’été dernier, Zoë a mangé des œufs « très » bons au café — à la façade "
            + "naïve — pour 5 € seulement.\nDeuxième ligne : crème brûlée.";
    private static final String GERMAN = "Die Bäckerei öffnet morgen früh um sieben Uhr, sagte der Meister.";

    /** Tika's magic takes these first lines for news messages (message/news) or e-mail (message/rfc822). */
    @ParameterizedTest
    @ValueSource(strings = {
            "Article 5 of the treaty says that an attack on one member is an attack on all of them.",
            "Path: the garden path winds past the old kiwi vines.\nIt ends at the greenhouse.",
            "Xref: see chapter 3 for the kiwi harvest figures.",
            "From: the field notes of the orchard team\nThe kiwi vines flowered early.",
            "Newsgroups: a relic of Usenet, still read by some.",
            "Date: 2024-05-01\nSubject: harvest\nContent-Type: notes\n\nThe kiwi vines flowered early.",
            "Return-Path: along the river, then back through the forest."})
    void proseThatLooksLikeAMessageIsText(String prose) throws IOException {
        byte[] bytes = prose.getBytes(StandardCharsets.UTF_8);

        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(bytes))).isEqualTo("text/plain");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(bytes), "notes.txt", "text/plain"))
                .isEqualTo("text/plain");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(bytes), "notes.md", null)).isEqualTo("text/markdown");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(bytes), "notes", "text/markdown; charset=UTF-8"))
                .isEqualTo("text/markdown");
        ExtractedText extracted = EXTRACTOR.extract(new ByteArrayInputStream(bytes), "text/plain");
        assertThat(extracted.text()).isEqualTo(prose);
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(bytes)).text()).isEqualTo(prose);
    }

    static Stream<Arguments> encodings() {
        return Stream.of(
                Arguments.of("windows-1251", RUSSIAN),
                Arguments.of("KOI8-R", RUSSIAN.replace('—', '-').replace('«', '"').replace('»', '"')),
                Arguments.of("Shift_JIS", JAPANESE),
                Arguments.of("EUC-JP", JAPANESE),
                Arguments.of("windows-1252", FRENCH),
                Arguments.of("ISO-8859-1", GERMAN),
                Arguments.of("UTF-16LE", RUSSIAN),
                Arguments.of("UTF-16BE", RUSSIAN),
                Arguments.of("UTF-16LE", FRENCH),
                Arguments.of("UTF-16BE", FRENCH),
                // Japanese in UTF-16 needs some characters up to U+00FF (here spaces, digits, line breaks).
                Arguments.of("UTF-16LE", "東京 2024 年\n" + JAPANESE + "\n大阪 2025 年\n"),
                // Chinese in long lines: fewer than one character in 50 up to U+00FF (two line breaks in 900).
                Arguments.of("UTF-16LE", CHINESE + "\n" + CHINESE + "\n" + CHINESE),
                Arguments.of("UTF-16BE", CHINESE + "\n" + CHINESE + "\n" + CHINESE),
                Arguments.of("UTF-16LE", JAPANESE_LINE + "\n" + JAPANESE_LINE + "\n"),
                Arguments.of("UTF-16BE", JAPANESE_LINE + "\n" + JAPANESE_LINE + "\n"),
                Arguments.of("UTF-32LE", RUSSIAN),
                Arguments.of("UTF-32BE", FRENCH),
                // UTF-32 needs no character up to U+00FF, unlike UTF-16 without a byte order mark.
                Arguments.of("UTF-32LE", JAPANESE),
                Arguments.of("UTF-32BE", JAPANESE + " 🍅"),
                Arguments.of("UTF-8", RUSSIAN + JAPANESE + FRENCH));
    }

    /**
     * Chinese in UTF-16 without a byte order mark and without a single NUL byte (no character up to U+00FF, none
     * whose low byte is 0): nothing tells the byte order, and the legacy character set detector finds no reading that
     * looks like text. It is read as UTF-16 in the byte order where it is Chinese.
     */
    @ParameterizedTest
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE"})
    void chineseInUtf16WithoutAnyNulByteIsRead(String charset) throws IOException {
        String text = ("北京是中华人民共和国的首都，也是全国的政治、文化、国际交往和科技创新中心。"
                + "今天的北京既保留着传统的胡同和四合院，又拥有现代化的高楼大厦、地铁网络和国际机场。").repeat(4);
        byte[] bytes = text.getBytes(Charset.forName(charset));
        assertThat(bytes).as("no NUL byte").doesNotContain((byte) 0);

        String type = EXTRACTOR.detect(new ByteArrayInputStream(bytes));
        assertThat(type).isEqualTo("text/plain");
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(bytes), type).text()).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("encodings")
    void textInLegacyCharacterSetsIsAcceptedAndDecoded(String charset, String text) throws IOException {
        byte[] bytes = text.getBytes(Charset.forName(charset));
        assertThat(bytes[0]).as("no byte order mark").isNotIn((byte) 0xFE, (byte) 0xFF, (byte) 0xEF);

        String type = EXTRACTOR.detect(new ByteArrayInputStream(bytes));
        assertThat(type).isEqualTo("text/plain");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(bytes), "notes.txt", "text/plain"))
                .isEqualTo("text/plain");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(bytes), "table.csv", null)).isEqualTo("text/csv");
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(bytes), type).text()).isEqualTo(text);
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(bytes), "text/csv").mediaType()).isEqualTo("text/csv");
    }

    @Test
    void theCharacterSetOfALongDocumentIsFoundFromItsPrefixAndAppliesToAllOfIt() throws IOException {
        String text = (RUSSIAN + "\n").repeat(2_000) + "Последняя строка.";
        byte[] bytes = text.getBytes(Charset.forName("windows-1251"));
        assertThat(bytes.length).isGreaterThan(4 * TextEncoding.PREFIX_BYTES);

        CountingStream counted = new CountingStream(bytes);
        assertThat(EXTRACTOR.detect(counted, "notes.txt", null)).isEqualTo("text/plain");
        // The prefix, and what Tika's buffering reads ahead of it (a few KiB); never the whole document.
        assertThat(counted.read).isLessThanOrEqualTo(TextEncoding.PREFIX_BYTES + 16 * 1024);
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(bytes), "text/plain").text()).isEqualTo(text);
    }

    @Test
    void aStrayNulInTextBecomesTheReplacementCharacter() throws IOException {
        String text = "The kiwi vines flowered early this year, and the harvest starts in May. ".repeat(4);
        byte[] bytes = (text + "\u0000" + text).getBytes(StandardCharsets.UTF_8);

        String type = EXTRACTOR.detect(new ByteArrayInputStream(bytes), "notes.txt", null);
        assertThat(type).isEqualTo("text/plain");
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(bytes), type).text()).isEqualTo(text + "\uFFFD" + text);
    }

    @Test
    void byteOrderMarksAreHonouredAndNotPartOfTheText() throws IOException {
        for (Charset charset : new Charset[] {StandardCharsets.UTF_8, StandardCharsets.UTF_16LE,
                StandardCharsets.UTF_16BE, Charset.forName("UTF-32BE")}) {
            byte[] bytes = ("\uFEFF" + JAPANESE).getBytes(charset);

            String type = EXTRACTOR.detect(new ByteArrayInputStream(bytes), "notes.txt", null);
            assertThat(type).as(charset.name()).isEqualTo("text/plain");
            assertThat(EXTRACTOR.extract(new ByteArrayInputStream(bytes), type).text()).as(charset.name())
                    .isEqualTo(JAPANESE);
        }
    }

    @Test
    void binaryDataStaysRefusedWhateverItIsCalled() throws IOException {
        Random random = new Random(7);
        for (int size : new int[] {16, 300, 4_096, 100_000}) {
            byte[] noise = new byte[size];
            random.nextBytes(noise);
            assertThat(EXTRACTOR.detect(new ByteArrayInputStream(noise), "notes.txt", "text/plain")).as("%d", size)
                    .isEqualTo("application/octet-stream");
        }
        // No NUL at all, as UTF-16 Chinese without one (which is accepted when four characters in five are Chinese).
        for (int size : new int[] {200, 4_096, 100_000}) {
            byte[] noNul = new byte[size];
            for (int i = 0; i < size; i++) {
                noNul[i] = (byte) (1 + random.nextInt(255));
            }
            assertThat(EXTRACTOR.detect(new ByteArrayInputStream(noNul), "notes.txt", "text/plain")).as("%d", size)
                    .isEqualTo("application/octet-stream");
        }
        // 16-bit little-endian samples: NULs at every odd position, like UTF-16 text, but no text.
        byte[] samples = new byte[8_192];
        for (int i = 0; i < samples.length; i += 2) {
            samples[i] = (byte) random.nextInt(32);
        }
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(samples), "notes.txt", "text/plain"))
                .isEqualTo("application/octet-stream");
        // The same with samples of any size and few NULs (fewer than UTF-16 text of Latin letters would have).
        byte[] sparse = new byte[8_192];
        random.nextBytes(sparse);
        for (int i = 0; i < sparse.length; i += 2) {
            sparse[i + 1] = i % 512 == 0 ? 0 : (byte) (1 + random.nextInt(255));
        }
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(sparse), "notes.txt", "text/plain"))
                .isEqualTo("application/octet-stream");
        // 32-bit little-endian samples below 0x110000: every unit a code point, as in UTF-32, but no text.
        byte[] wide = new byte[8_192];
        for (int i = 0; i < wide.length; i += 4) {
            int value = random.nextInt(0x110000);
            wide[i] = (byte) value;
            wide[i + 1] = (byte) (value >> 8);
            wide[i + 2] = (byte) (value >> 16);
        }
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(wide), "notes.txt", "text/plain"))
                .isEqualTo("application/octet-stream");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(Documents.png()), "notes.txt", "text/plain"))
                .isEqualTo("image/png");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(Documents.pdf(GERMAN)), "notes.txt", "text/plain"))
                .isEqualTo("application/pdf");
        assertThat(EXTRACTOR.detect(new ByteArrayInputStream(Documents.zip(GERMAN)), "notes.md", "text/markdown"))
                .isEqualTo("application/zip");
    }

    @Test
    void aDeclarationChoosesAmongTextTypesOnly() throws IOException {
        byte[] text = Documents.text("The kiwi vines flowered early.\n");
        byte[] html = Documents.html("Facts", GERMAN);
        byte[] svg = Documents.text("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">"
                + "<text>kiwi</text></svg>\n");

        assertThat(detect(text, "notes.md", null)).isEqualTo("text/markdown");
        assertThat(detect(text, "notes.markdown", "application/octet-stream")).isEqualTo("text/markdown");
        assertThat(detect(text, "data.tsv", null)).isEqualTo("text/tab-separated-values");
        assertThat(detect(text, "data.json", null)).isEqualTo("application/json");
        assertThat(detect(text, "upload", "text/x-log")).isEqualTo("text/plain");
        assertThat(detect(text, "upload", "text/html")).as("not a plain text declaration").isEqualTo("text/plain");
        assertThat(detect(text, "notes.pdf", "application/pdf")).as("text is text").isEqualTo("text/plain");
        assertThat(detect(html, "page.txt", "text/plain")).as("a parser that knows HTML reads it")
                .isEqualTo("text/html");
        assertThat(detect(svg, "drawing", null)).as("undeclared SVG stays refused").isEqualTo("image/svg+xml");
        assertThat(detect(svg, "drawing.txt", null)).as("declared as text, read as text").isEqualTo("text/plain");
        // CSV declared as such is read as it is, not turned into a table.
        byte[] csv = Documents.csv(new String[] {"id", "city"}, new String[] {"1", "Zürich"});
        assertThat(EXTRACTOR.extract(new ByteArrayInputStream(csv), "text/csv").text())
                .isEqualTo(new String(csv, StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    private static String detect(byte[] content, String name, String contentType) throws IOException {
        return EXTRACTOR.detect(new ByteArrayInputStream(content), name, contentType);
    }

    /** Counts the bytes read from it; like an upload's stream, it cannot go back (no mark). */
    private static final class CountingStream extends FilterInputStream {
        private long read;

        CountingStream(byte[] bytes) {
            super(new ByteArrayInputStream(bytes));
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            read += Math.max(0, n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            read += skipped;
            return skipped;
        }
    }
}
