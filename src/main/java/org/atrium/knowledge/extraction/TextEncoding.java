package org.atrium.knowledge.extraction;

import org.apache.tika.parser.txt.CharsetDetector;
import org.apache.tika.parser.txt.CharsetMatch;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Tells text from binary data and finds the character set of text, from a bounded prefix of its bytes
 * ({@link #PREFIX_BYTES}), in this order:
 * <ol>
 *   <li>a byte order mark (UTF-8, UTF-16, UTF-32);</li>
 *   <li>valid UTF-8 (ASCII included), a sequence cut by the end of the prefix allowed;</li>
 *   <li>UTF-16 without a byte order mark, when the prefix has NUL bytes almost all at odd positions (little endian)
 *       or almost all at even ones (big endian; at least three times as many at one as at the other): the high
 *       bytes of characters up to U+00FF (spaces, digits, ASCII punctuation, Latin letters, line breaks). At
 *       least one character in 50 must be such a character, unless four in five are Chinese or Japanese (written
 *       in long lines, a line break now and then is enough). Before it, UTF-32 without a byte order mark, when
 *       every four-byte unit is a code point (its highest byte NUL, the next at most 0x10). Other data with NUL
 *       bytes is binary: no 8-bit or multibyte text encoding produces them;</li>
 *   <li>otherwise the ICU character set detector (Tika's copy): windows-1251, KOI8-R, Shift_JIS, EUC-JP, GB18030,
 *       Big5, EUC-KR, ISO-2022-*, the ISO-8859 family and windows-125x. ISO-8859-1 is read as windows-1252, its
 *       superset for every printable character (as browsers do).</li>
 *   <li>last, UTF-16 text with no NUL at all in its prefix (a line of Chinese or Japanese with only ideographic
 *       punctuation): when ICU found nothing that reads as text, and four characters in five are Chinese or
 *       Japanese in one byte order (at least 64 characters).</li>
 * </ol>
 * Whatever the candidate, the prefix decoded with it must look like text: at most one character in 200 may be a
 * control character other than tab, line feed, form feed and carriage return, an undecodable sequence, an
 * unassigned code point or a private-use character. Random bytes fail this by far (about one byte in eight is a
 * control character); real text passes it.
 */
final class TextEncoding {

    /** How many bytes of a document are examined: enough for the detectors, bounded for large files. */
    static final int PREFIX_BYTES = 64 * 1024;

    /** The fewest characters UTF-16 without a byte order mark and without NULs is recognised from. */
    private static final int MIN_UNMARKED_CHARACTERS = 64;

    /** ICU's confidence (0 to 100) below which its guess is not taken. */
    private static final int MIN_CONFIDENCE = 10;

    private static final Charset UTF_32BE = Charset.forName("UTF-32BE");
    private static final Charset UTF_32LE = Charset.forName("UTF-32LE");

    private TextEncoding() {
    }

    /**
     * @param prefix the first bytes of a document, at most {@link #PREFIX_BYTES} are looked at
     * @param length how many bytes of {@code prefix} are valid
     * @return the character set of the text, or empty when the bytes are not text
     */
    static Optional<Charset> detect(byte[] prefix, int length) {
        int n = Math.min(length, Math.min(prefix.length, PREFIX_BYTES));
        Charset marked = byteOrderMark(prefix, n);
        if (marked != null) {
            return looksLikeText(prefix, n, marked) ? Optional.of(marked) : Optional.empty();
        }
        if (validUtf8(prefix, n) && looksLikeText(prefix, n, StandardCharsets.UTF_8)) {
            return Optional.of(StandardCharsets.UTF_8);
        }
        if (hasNul(prefix, n)) {
            Optional<Charset> utf32 = utf32WithoutMark(prefix, n);
            return utf32.isPresent() ? utf32 : utf16WithoutMark(prefix, n);
        }
        CharsetDetector detector = new CharsetDetector();
        detector.setText(n == prefix.length ? prefix : Arrays.copyOf(prefix, n));
        CharsetMatch[] matches = detector.detectAll();
        // The best few guesses only: further down the list are encodings that merely decode the bytes.
        for (int i = 0; i < Math.min(3, matches.length); i++) {
            if (matches[i].getConfidence() < MIN_CONFIDENCE) {
                break;
            }
            Charset charset = javaCharset(matches[i].getName());
            if (charset != null && looksLikeText(prefix, n, charset)) {
                return Optional.of(charset);
            }
        }
        return chineseOrJapaneseUtf16(prefix, n);
    }

    /**
     * The character set to read a document with that was accepted as text: {@link #detect}'s answer, else ICU's best
     * guess, else UTF-8 (undecodable bytes become U+FFFD).
     */
    static Charset guess(byte[] prefix, int length) {
        Optional<Charset> detected = detect(prefix, length);
        if (detected.isPresent()) {
            return detected.get();
        }
        int n = Math.min(length, Math.min(prefix.length, PREFIX_BYTES));
        CharsetDetector detector = new CharsetDetector();
        detector.setText(Arrays.copyOf(prefix, n));
        CharsetMatch best = detector.detect();
        Charset charset = best == null ? null : javaCharset(best.getName());
        return charset == null ? StandardCharsets.UTF_8 : charset;
    }

    private static Charset byteOrderMark(byte[] b, int n) {
        if (n >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            return StandardCharsets.UTF_8;
        }
        if (n >= 4 && b[0] == 0 && b[1] == 0 && (b[2] & 0xFF) == 0xFE && (b[3] & 0xFF) == 0xFF) {
            return UTF_32BE;
        }
        if (n >= 4 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE && b[2] == 0 && b[3] == 0) {
            return UTF_32LE;
        }
        if (n >= 2 && (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        if (n >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        return null;
    }

    /** Strict UTF-8: no malformed or overlong sequence, no surrogate; only a sequence cut by the end may be short. */
    private static boolean validUtf8(byte[] b, int n) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, 0, n);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            // Not the end of input: a multibyte sequence cut by the end of the prefix is left over, not an error.
            CoderResult result = decoder.decode(in, out, false);
            if (result.isError()) {
                return false;
            }
            if (result.isUnderflow()) {
                return in.remaining() < 4;
            }
            out.clear();
        }
    }

    private static boolean hasNul(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * UTF-32 without a byte order mark: code points end at U+10FFFF, so in every four-byte unit the highest byte is
     * NUL and the next at most 0x10: the last two bytes of each unit in little endian, the first two in big endian.
     * Text in no other encoding has NULs that regular (and UTF-16's parity rule below would call it binary: its NULs
     * are at both parities).
     */
    private static Optional<Charset> utf32WithoutMark(byte[] b, int n) {
        int whole = n - n % 4;
        if (whole == 0) {
            return Optional.empty();
        }
        boolean little = true;
        boolean big = true;
        for (int i = 0; i < whole && (little || big); i += 4) {
            little &= b[i + 3] == 0 && (b[i + 2] & 0xFF) <= 0x10;
            big &= b[i] == 0 && (b[i + 1] & 0xFF) <= 0x10;
        }
        Charset candidate = little == big ? null : little ? UTF_32LE : UTF_32BE;
        return candidate != null && looksLikeText(b, whole, candidate) ? Optional.of(candidate) : Optional.empty();
    }

    /**
     * UTF-16 without a byte order mark: the high byte of every character up to U+00FF is NUL, the low byte of almost
     * none (only U+0100, U+0200, ... U+3000, U+4E00 have one), so NULs gather at one parity: odd positions in little
     * endian, even ones in big endian. Binary data with NULs has them at both.
     */
    private static Optional<Charset> utf16WithoutMark(byte[] b, int n) {
        // NULs that say "a character up to U+00FF" in one byte order, and those that contradict it: a NUL as the
        // low byte of a unit below U+3000. Units from U+3000 on with a NUL low byte are ideographs and CJK
        // punctuation (U+4E00, U+3000, ...), common in Chinese and Japanese: they contradict neither order.
        int little = 0;
        int againstLittle = 0;
        int big = 0;
        int againstBig = 0;
        for (int i = 0; i + 1 < n; i += 2) {
            int first = b[i] & 0xFF;
            int second = b[i + 1] & 0xFF;
            if (second == 0) {
                little++;
                if (first < 0x30) {
                    againstBig++;
                }
            }
            if (first == 0) {
                big++;
                if (second < 0x30) {
                    againstLittle++;
                }
            }
        }
        boolean asLittle = fits(b, n, StandardCharsets.UTF_16LE, little, againstLittle);
        boolean asBig = fits(b, n, StandardCharsets.UTF_16BE, big, againstBig);
        if (asLittle && asBig) {
            // Chinese and Japanese read in the wrong order are still mostly ideographs, but rarer ones.
            double littleShare = chineseOrJapaneseShare(b, n - n % 2, StandardCharsets.UTF_16LE);
            double bigShare = chineseOrJapaneseShare(b, n - n % 2, StandardCharsets.UTF_16BE);
            if (littleShare != bigShare) {
                return Optional.of(littleShare > bigShare ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
            }
            return Optional.of(little >= big ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
        }
        return asLittle ? Optional.of(StandardCharsets.UTF_16LE)
                : asBig ? Optional.of(StandardCharsets.UTF_16BE) : Optional.empty();
    }

    /**
     * UTF-16 without a byte order mark and without a single NUL (no character up to U+00FF, none like U+4E00): only
     * asked when no other character set reads the bytes as text, and accepted only when, in one byte order, at least
     * {@value #MIN_UNMARKED_CHARACTERS} characters are decoded and four in five of them are Chinese or Japanese. Data
     * of another kind lands in those ranges (a third of all 16-bit values) about one time in three per unit: for 64
     * units, four in five is about eight standard deviations away.
     */
    private static Optional<Charset> chineseOrJapaneseUtf16(byte[] b, int n) {
        int even = n - n % 2;
        if (even / 2 < MIN_UNMARKED_CHARACTERS) {
            return Optional.empty();
        }
        double little = looksLikeText(b, even, StandardCharsets.UTF_16LE)
                ? chineseOrJapaneseShare(b, even, StandardCharsets.UTF_16LE) : 0;
        double big = looksLikeText(b, even, StandardCharsets.UTF_16BE)
                ? chineseOrJapaneseShare(b, even, StandardCharsets.UTF_16BE) : 0;
        if (Math.max(little, big) < 0.8) {
            return Optional.empty();
        }
        return Optional.of(little >= big ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
    }

    /**
     * Whether the prefix reads as UTF-16 in one byte order: its NULs mostly say so (three to one), it looks like
     * text, and either one character in 50 is up to U+00FF or the text is Chinese or Japanese written in long lines.
     */
    private static boolean fits(byte[] b, int n, Charset order, int signal, int against) {
        if (signal == 0 || against * 3 > signal || !looksLikeText(b, n - n % 2, order)) {
            return false;
        }
        return signal >= Math.max(1, n / 2 / 50) || mostlyChineseOrJapanese(b, n - n % 2, order);
    }

    /**
     * Whether at least four characters in five are common ideographs, kana, CJK punctuation or full-width forms. Only
     * asked of data whose NULs already have UTF-16's parity (so never of Shift_JIS, GB18030 or Big5, which have none):
     * binary 16-bit data with that parity decodes to other characters.
     */
    private static boolean mostlyChineseOrJapanese(byte[] b, int n, Charset charset) {
        return chineseOrJapaneseShare(b, n, charset) >= 0.8;
    }

    /** The share of characters in U+3000 to U+30FF, U+4E00 to U+9FFF and U+FF00 to U+FFEF. */
    private static double chineseOrJapaneseShare(byte[] b, int n, Charset charset) {
        String text = new String(b, 0, n, charset);
        int cjk = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '\u3000' && c <= '\u30FF' || c >= '\u4E00' && c <= '\u9FFF' || c >= '\uFF00' && c <= '\uFFEF') {
                cjk++;
            }
        }
        return text.isEmpty() ? 0 : (double) cjk / text.length();
    }

    /** Decodes the prefix and counts what text does not have; see the class comment. */
    private static boolean looksLikeText(byte[] b, int n, Charset charset) {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        CharBuffer out = CharBuffer.allocate((int) Math.ceil(n * (double) decoder.maxCharsPerByte()) + 4);
        // Not the end of input: a character cut by the end of the prefix is not counted as undecodable.
        decoder.decode(ByteBuffer.wrap(b, 0, n), out, false);
        out.flip();
        int characters = 0;
        int odd = 0;
        for (int i = 0; i < out.length(); ) {
            int c = Character.codePointAt(out, i);
            i += Character.charCount(c);
            characters++;
            if (!plausible(c)) {
                odd++;
            }
        }
        return characters > 0 && odd <= characters / 200;
    }

    private static boolean plausible(int c) {
        if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\uFEFF') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> false;
            default -> c != '\uFFFD';
        };
    }

    /** Java's character set for a name ICU reports, or null when Java has none. */
    private static Charset javaCharset(String name) {
        String javaName = switch (name) {
            // Printable characters are the same; windows-1252 also has the typographic ones in 0x80-0x9F.
            case "ISO-8859-1" -> "windows-1252";
            // Hebrew in logical order: the same bytes as ISO-8859-8 for Java.
            case "ISO-8859-8-I" -> "ISO-8859-8";
            default -> name.startsWith("UTF-16") || name.startsWith("UTF-32")
                    // Without a byte order mark and without NULs these are ICU's noise, not text.
                    ? null
                    : name.replaceFirst("_(ltr|rtl)$", "");
        };
        if (javaName == null) {
            return null;
        }
        try {
            return Charset.isSupported(javaName) ? Charset.forName(javaName) : null;
        } catch (IllegalCharsetNameException unknown) {
            return null;
        }
    }
}
