package org.atrium.testing;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDEmbeddedFilesNameTreeNode;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Decompression bombs and other hostile documents, generated in memory: a real document of the kind (from
 * {@link Documents}) with one part replaced by a stream of repeated markup, deflated at the fastest level (about
 * 180-fold: a file of about 6 MB inflates to a gibibyte; the best level gives a thousandfold but takes twice as long
 * to make, for no difference to the limits under test). Generating one takes a second or two; each is made once per
 * JVM.
 */
public final class Bombs {

    /** What each bomb's hostile part inflates to. */
    public static final long GIB = 1L << 30;

    private static final Map<String, byte[]> MADE = new ConcurrentHashMap<>();

    private Bombs() {
    }

    /** @return a Word document whose {@code word/document.xml} inflates to 1 GiB of paragraphs */
    public static byte[] docx() {
        return made("docx", () -> replace(Documents.docx("A harmless first paragraph."), "word/document.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\""
                        + "http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>",
                "<w:p><w:r><w:t>bomb </w:t></w:r></w:p>", "</w:body></w:document>"));
    }

    /** @return a Word document whose body is the given WordprocessingML markup */
    public static byte[] docxWithBody(String body) {
        return replaceWith(Documents.docx("A harmless first paragraph."), "word/document.xml",
                ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\""
                        + "http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" + body
                        + "</w:body></w:document>").getBytes(StandardCharsets.UTF_8));
    }

    /** @return an Excel workbook whose {@code xl/sharedStrings.xml} inflates to 1 GiB of strings */
    public static byte[] xlsx() {
        return made("xlsx", () -> replace(Documents.xlsx(new String[] {"harmless"}), "xl/sharedStrings.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\""
                        + "http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
                "<si><t>bomb</t></si>", "</sst>"));
    }

    /**
     * @return a Word document whose {@code [Content_Types].xml}, the part type detection reads, starts with a
     *         comment that inflates to 1 GiB
     */
    public static byte[] contentTypes() {
        return made("contentTypes", () -> {
            byte[] docx = Documents.docx("A harmless first paragraph.");
            String original = new String(entry(docx, "[Content_Types].xml"), StandardCharsets.UTF_8);
            String body = original.substring(original.indexOf("?>") + 2);
            return replace(docx, "[Content_Types].xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<!--", "aaaaaaaaaaaaaaaa",
                    "-->" + body);
        });
    }

    /**
     * @return a PDF with an attached ZIP that holds a ZIP that holds a text file inflating to 1 GiB: a bomb nested
     *         in archives nested in a document
     */
    public static byte[] nestedZip() {
        return made("nestedZip", () -> {
            byte[] inner = zip("bomb.txt", "", "bomb bomb bomb bomb bomb bomb\n", "");
            byte[] outer = zipOf("inner.zip", inner);
            return pdfWithAttachment("archive.zip", outer);
        });
    }

    /** @return a PDF with an attached {@code bomb.txt.gz}, a gzip stream inflating to 1 GiB of text */
    public static byte[] nestedGzip() {
        return made("nestedGzip", () -> {
            ByteArrayOutputStream gzip = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gzip, 65_536) {
                {
                    def.setLevel(Deflater.BEST_SPEED);
                }
            }; InputStream content = repeated("", "bomb bomb bomb bomb bomb bomb\n", "")) {
                content.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return pdfWithAttachment("bomb.txt.gz", gzip.toByteArray());
        });
    }

    /** @return a PDF of {@code pages} empty pages (about 30 bytes each once compressed) */
    public static byte[] pdfPages(int pages) {
        return made("pdfPages" + pages, () -> {
            try (PDDocument document = new PDDocument()) {
                for (int i = 0; i < pages; i++) {
                    document.addPage(new PDPage());
                }
                return PdfParts.save(document);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** @return a one-page PDF whose content stream inflates to 1 GiB of text-drawing operators */
    public static byte[] pdfContent() {
        return made("pdfContent", () -> PdfParts.pdf((document, page) -> page.setContents(new PDStream(PdfParts.bomb(document, 1)))));
    }

    /**
     * @return a one-page PDF whose content stream is deflated twice ({@code [/FlateDecode /FlateDecode]}) and
     *         inflates to 1 GiB of text-drawing operators; about 10 KB
     */
    public static byte[] pdfDoubleFlate() {
        return made("pdfDoubleFlate", () -> PdfParts.pdf((document, page) ->
                page.setContents(new PDStream(PdfParts.bomb(document, 2)))));
    }

    /**
     * @return a one-page PDF whose page draws a form XObject that draws itself (a cycle) and a second form XObject,
     *         whose content inflates to 1 GiB of text-drawing operators
     */
    public static byte[] pdfNestedForm() {
        return made("pdfNestedForm", () -> PdfParts.pdf((document, page) -> {
            COSStream inner = PdfParts.form(PdfParts.bomb(document, 1), new COSDictionary());
            COSDictionary xobjects = new COSDictionary();
            COSStream outer = PdfParts.form(PdfParts.plain(document, "q /Self Do /Inner Do Q\n"), new COSDictionary());
            xobjects.setItem(COSName.getPDFName("Self"), outer);
            xobjects.setItem(COSName.getPDFName("Inner"), inner);
            outer.getCOSDictionary(COSName.RESOURCES).setItem(COSName.XOBJECT, xobjects);
            page.getResources().put(COSName.getPDFName("Outer"), new PDFormXObject(outer));
            page.setContents(new PDStream(PdfParts.plain(document, "q /Outer Do Q\n")));
        }));
    }

    /** @return a one-page PDF with an annotation whose normal appearance inflates to 1 GiB of drawing operators */
    public static byte[] pdfAnnotationAppearance() {
        return made("pdfAnnotationAppearance", () -> PdfParts.pdf((document, page) -> {
            page.setContents(new PDStream(PdfParts.plain(document, "BT /F1 12 Tf 72 720 Td (A harmless page.) Tj ET\n")));
            COSDictionary appearance = new COSDictionary();
            appearance.setItem(COSName.N, PdfParts.form(PdfParts.bomb(document, 1), new COSDictionary()));
            COSDictionary annotation = new COSDictionary();
            annotation.setItem(COSName.TYPE, COSName.ANNOT);
            annotation.setItem(COSName.SUBTYPE, COSName.getPDFName("Square"));
            annotation.setItem(COSName.RECT, new PDRectangle(72, 72, 200, 200).getCOSArray());
            annotation.setItem(COSName.AP, appearance);
            COSArray annotations = new COSArray();
            annotations.add(annotation);
            page.getCOSObject().setItem(COSName.ANNOTS, annotations);
        }));
    }

    /** @return a ZIP archive holding one entry: {@code head}, {@code unit} repeated to 1 GiB, {@code tail} */
    public static byte[] zip(String name, String head, String unit, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out); InputStream content = repeated(head, unit, tail)) {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry(name));
            content.transferTo(zip);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] made(String kind, Supplier<byte[]> maker) {
        return MADE.computeIfAbsent(kind, k -> maker.get());
    }

    /** The document with one entry's content replaced by {@code head}, {@code unit} repeated to 1 GiB, {@code tail}. */
    private static byte[] replace(byte[] document, String name, String head, String unit, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(document));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(Deflater.BEST_SPEED);
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                zip.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().equals(name)) {
                    try (InputStream content = repeated(head, unit, tail)) {
                        content.transferTo(zip);
                    }
                } else {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] replaceWith(byte[] document, String name, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(document));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                zip.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().equals(name)) {
                    zip.write(content);
                } else {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] entry(byte[] zip, String name) {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("no entry " + name);
    }

    /**
     * @param zip a ZIP archive
     * @return the archive with every entry's size in the central directory claiming no more than its compressed size,
     *         as a bomb that lies about its sizes does
     */
    public static byte[] lyingSizes(byte[] zip) {
        byte[] patched = zip.clone();
        ByteBuffer buffer = ByteBuffer.wrap(patched).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 46 <= patched.length; at++) {
            if (buffer.getInt(at) == 0x02014b50) {
                buffer.putInt(at + 24, buffer.getInt(at + 20));
            }
        }
        return patched;
    }

    /** @return a ZIP archive holding one entry with the content, deflated */
    public static byte[] zipOf(String name, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * @param name    the attachment's file name
     * @param content the attachment's bytes
     * @param pages   the text of each page
     * @return a PDF with the attachment
     */
    public static byte[] pdfWithAttachment(String name, byte[] content, String... pages) {
        try (PDDocument document = pages.length == 0 ? new PDDocument()
                : Loader.loadPDF(Documents.pdf(pages))) {
            if (pages.length == 0) {
                document.addPage(new PDPage());
            }
            PDEmbeddedFile file = new PDEmbeddedFile(document, new ByteArrayInputStream(content));
            file.setSubtype("application/zip");
            file.setSize(content.length);
            PDComplexFileSpecification specification = new PDComplexFileSpecification();
            specification.setFile(name);
            specification.setEmbeddedFile(file);
            PDEmbeddedFilesNameTreeNode files = new PDEmbeddedFilesNameTreeNode();
            files.setNames(Map.of(name, specification));
            PDDocumentNameDictionary names = new PDDocumentNameDictionary(document.getDocumentCatalog());
            names.setEmbeddedFiles(files);
            document.getDocumentCatalog().setNames(names);
            return PdfParts.save(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code head}, then {@code unit} repeated until the whole is 1 GiB, then {@code tail}; nothing in memory. */
    static InputStream repeated(String head, String unit, String tail) {
        byte[] start = head.getBytes(StandardCharsets.UTF_8);
        byte[] block = unit.repeat(Math.max(1, 65_536 / unit.length())).getBytes(StandardCharsets.UTF_8);
        byte[] end = tail.getBytes(StandardCharsets.UTF_8);
        long blocks = (GIB - start.length - end.length) / block.length;
        return new InputStream() {
            private long position;
            private final long total = start.length + blocks * block.length + end.length;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position >= total) {
                    return -1;
                }
                int n = (int) Math.min(length, total - position);
                for (int i = 0; i < n; ) {
                    long at = position + i;
                    int copied;
                    if (at < start.length) {
                        copied = Math.min(n - i, start.length - (int) at);
                        System.arraycopy(start, (int) at, buffer, offset + i, copied);
                    } else if (at >= total - end.length) {
                        copied = n - i;
                        System.arraycopy(end, (int) (at - (total - end.length)), buffer, offset + i, copied);
                    } else {
                        int within = (int) ((at - start.length) % block.length);
                        copied = (int) Math.min(Math.min(n - i, block.length - within),
                                total - end.length - at);
                        System.arraycopy(block, within, buffer, offset + i, copied);
                    }
                    i += copied;
                }
                position += n;
                return n;
            }
        };
    }
}
