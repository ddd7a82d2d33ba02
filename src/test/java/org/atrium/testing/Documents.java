package org.atrium.testing;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDEmbeddedFilesNameTreeNode;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.openxml4j.exceptions.InvalidFormatException;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.crypt.EncryptionMode;
import org.apache.poi.poifs.crypt.Encryptor;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFSlide;
import org.apache.poi.xslf.usermodel.XSLFTextBox;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

import javax.imageio.ImageIO;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Real documents of each kind Atrium ingests, generated in memory with the libraries Tika itself reads them with
 * (PDFBox, POI), so tests need no binary fixtures. Each method takes the text to put in, so a test can look for it
 * afterwards; {@link #SENTENCES} and {@link #UNICODE} are ready-made texts.
 *
 * <p>The bytes carry no file name: tests that need a file use {@link #write}, with whatever name they like.
 */
public final class Documents {

    /** Sentences distinct enough to search for in extracted text. */
    public static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Atrium keeps every collection in step across replicas.",
            "Seventeen lighthouses guard the northern coast of the island.",
            "Photosynthesis converts light energy into chemical energy.");

    /** Text with letters outside ASCII, including characters outside the Basic Latin and Latin-1 blocks. */
    public static final String UNICODE = "Grüße, naïve café — 東京";

    private Documents() {
    }

    /**
     * @param pages the text of each page; sentences are wrapped into lines, paragraphs split at {@code \n}
     * @return a PDF with one page per argument, in Helvetica (so only characters of Windows-1252)
     */
    public static byte[] pdf(String... pages) {
        try (PDDocument document = pdfDocument(pages)) {
            return save(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param userPassword the password needed to open it
     * @param pages        as for {@link #pdf}
     * @return the PDF, encrypted with AES-256; without the password its text cannot be read
     */
    public static byte[] encryptedPdf(String userPassword, String... pages) {
        try (PDDocument document = pdfDocument(pages)) {
            StandardProtectionPolicy policy =
                    new StandardProtectionPolicy("owner-" + userPassword, userPassword, new AccessPermission());
            policy.setEncryptionKeyLength(256);
            document.protect(policy);
            return save(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param attachment the text of a file attached to the PDF (a plain-text file called {@code attachment.txt})
     * @param pages      as for {@link #pdf}
     * @return a PDF carrying an attachment, as PDF portfolios and e-invoices do
     */
    public static byte[] pdfWithAttachment(String attachment, String... pages) {
        try (PDDocument document = pdfDocument(pages)) {
            byte[] content = text(attachment);
            PDEmbeddedFile file = new PDEmbeddedFile(document, new ByteArrayInputStream(content));
            file.setSubtype("text/plain");
            file.setSize(content.length);
            PDComplexFileSpecification specification = new PDComplexFileSpecification();
            specification.setFile("attachment.txt");
            specification.setEmbeddedFile(file);
            PDEmbeddedFilesNameTreeNode files = new PDEmbeddedFilesNameTreeNode();
            files.setNames(Map.of("attachment.txt", specification));
            PDDocumentNameDictionary names = new PDDocumentNameDictionary(document.getDocumentCatalog());
            names.setEmbeddedFiles(files);
            document.getDocumentCatalog().setNames(names);
            return save(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a Word document (OOXML) with one paragraph per argument */
    public static byte[] docx(String... paragraphs) {
        try (XWPFDocument document = docxDocument(paragraphs)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param password   the password needed to open it
     * @param paragraphs as for {@link #docx}
     * @return a Word document encrypted the way Office does it (agile encryption in an OLE2 container)
     */
    public static byte[] encryptedDocx(String password, String... paragraphs) {
        try (POIFSFileSystem container = new POIFSFileSystem()) {
            Encryptor encryptor = new EncryptionInfo(EncryptionMode.agile).getEncryptor();
            encryptor.confirmPassword(password);
            try (OPCPackage plain = OPCPackage.open(new ByteArrayInputStream(docx(paragraphs)));
                 OutputStream encrypted = encryptor.getDataStream(container)) {
                plain.save(encrypted);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            container.writeFilesystem(out);
            return out.toByteArray();
        } catch (IOException | GeneralSecurityException | InvalidFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a PowerPoint presentation (OOXML) with one slide per argument, each a single text box */
    public static byte[] pptx(String... slides) {
        try (XMLSlideShow show = new XMLSlideShow()) {
            for (String text : slides) {
                XSLFSlide slide = show.createSlide();
                XSLFTextBox box = slide.createTextBox();
                box.setAnchor(new Rectangle2D.Double(40, 40, 640, 400));
                box.setText(text);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            show.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return an Excel workbook (OOXML) with one sheet, "Data", holding the rows; numeric strings become numbers */
    public static byte[] xlsx(String[]... rows) {
        return workbook(new XSSFWorkbook(), rows);
    }

    /** @return a legacy binary Excel workbook (BIFF8, {@code .xls}) holding the rows */
    public static byte[] xls(String[]... rows) {
        return workbook(new HSSFWorkbook(), rows);
    }

    /** @return an HTML page with the title and one {@code <p>} per paragraph, plus a script that is not text */
    public static byte[] html(String title, String... paragraphs) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\">\n<title>").append(escape(title)).append("</title>\n")
                .append("<script>var hidden = 'not document text';</script>\n</head>\n<body>\n")
                .append("<h1>").append(escape(title)).append("</h1>\n");
        for (String paragraph : paragraphs) {
            html.append("<p>").append(escape(paragraph)).append("</p>\n");
        }
        return html.append("</body>\n</html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return a Markdown document: a heading, the paragraphs, and a bulleted list of them again */
    public static byte[] markdown(String title, String... paragraphs) {
        StringBuilder markdown = new StringBuilder("# ").append(title).append("\n\n");
        for (String paragraph : paragraphs) {
            markdown.append(paragraph).append("\n\n");
        }
        markdown.append("## List\n\n");
        for (String paragraph : paragraphs) {
            markdown.append("- **").append(paragraph).append("**\n");
        }
        return markdown.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return the text in UTF-8, without a byte order mark */
    public static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** @return the rows as CSV in UTF-8 (fields quoted where they need it), lines ending in CRLF as RFC 4180 says */
    public static byte[] csv(String[]... rows) {
        StringBuilder csv = new StringBuilder();
        for (String[] row : rows) {
            List<String> fields = new ArrayList<>();
            for (String field : row) {
                boolean quote = field.contains(",") || field.contains("\"") || field.contains("\n");
                fields.add(quote ? '"' + field.replace("\"", "\"\"") + '"' : field);
            }
            csv.append(String.join(",", fields)).append("\r\n");
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return an RTF document with one paragraph per argument (ASCII only) */
    public static byte[] rtf(String... paragraphs) {
        StringBuilder rtf = new StringBuilder("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Helvetica;}}\\f0\\fs24\n");
        for (String paragraph : paragraphs) {
            rtf.append(paragraph.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")).append("\\par\n");
        }
        return rtf.append("}\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** @return a ZIP archive holding one text file with the text */
    public static byte[] zip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("inside.txt"));
            zip.write(text(text));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @return a small PNG image (a gradient, no text) */
    public static byte[] png() {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 32; x++) {
            for (int y = 0; y < 32; y++) {
                image.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @return the start of a Windows executable: an MS-DOS header pointing to a PE header, then zeros */
    public static byte[] executable() {
        byte[] exe = new byte[1024];
        exe[0] = 'M';
        exe[1] = 'Z';
        exe[0x3C] = (byte) 0x80; // e_lfanew: where the PE header starts
        exe[0x80] = 'P';
        exe[0x81] = 'E';
        return exe;
    }

    /**
     * @param seed which random bytes
     * @param size how many
     * @return bytes that are no document at all, the same for the same seed
     */
    public static byte[] corrupt(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** @return the first half of a PDF: a recognisable header, a body cut off mid-way */
    public static byte[] truncatedPdf(String... pages) {
        byte[] pdf = pdf(pages);
        return Arrays.copyOf(pdf, pdf.length / 2);
    }

    /**
     * @param directory where to write, for example a JUnit {@code @TempDir}
     * @param name      the file name, which need not match the content
     * @param content   the bytes
     * @return the file written
     */
    public static Path write(Path directory, String name, byte[] content) {
        try {
            return Files.write(directory.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static PDDocument pdfDocument(String... pages) throws IOException {
        PDDocument document = new PDDocument();
        PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        for (String page : pages) {
            PDPage pdfPage = new PDPage();
            document.addPage(pdfPage);
            try (PDPageContentStream content = new PDPageContentStream(document, pdfPage)) {
                content.beginText();
                content.setFont(font, 11);
                content.setLeading(15);
                content.newLineAtOffset(60, 720);
                for (String paragraph : page.split("\n")) {
                    for (String line : wrap(paragraph, 90)) {
                        content.showText(line);
                        content.newLine();
                    }
                    content.newLine();
                }
                content.endText();
            }
        }
        return document;
    }

    private static XWPFDocument docxDocument(String... paragraphs) {
        XWPFDocument document = new XWPFDocument();
        for (String paragraph : paragraphs) {
            document.createParagraph().createRun().setText(paragraph);
        }
        return document;
    }

    private static byte[] workbook(Workbook workbook, String[]... rows) {
        try (workbook) {
            Sheet sheet = workbook.createSheet("Data");
            for (int r = 0; r < rows.length; r++) {
                Row row = sheet.createRow(r);
                for (int c = 0; c < rows[r].length; c++) {
                    String value = rows[r][c];
                    if (value.matches("-?\\d+(\\.\\d+)?")) {
                        row.createCell(c).setCellValue(Double.parseDouble(value));
                    } else {
                        row.createCell(c).setCellValue(value);
                    }
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            workbook.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] save(PDDocument document) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        document.save(out);
        return out.toByteArray();
    }

    private static List<String> wrap(String paragraph, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : paragraph.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
