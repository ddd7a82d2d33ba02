package org.atrium.testing;

import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** The parts {@link Bombs} builds its PDFs from: pages, raw streams, form XObjects. */
final class PdfParts {

    private PdfParts() {
    }

    interface PageBuilder {
        void build(PDDocument document, PDPage page) throws IOException;
    }

    /** A one-page PDF with Helvetica as {@code /F1}, the page made by {@code builder}. */
    static byte[] pdf(PageBuilder builder) {
        try (PDDocument document = new PDDocument()) {
            PDPage page = new PDPage();
            PDResources resources = new PDResources();
            resources.put(COSName.getPDFName("F1"), new PDType1Font(Standard14Fonts.FontName.HELVETICA));
            page.setResources(resources);
            builder.build(document, page);
            document.addPage(page);
            return save(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stream of 1 GiB of text-drawing operators, deflated {@code times} times (each a {@code /FlateDecode}). */
    static COSStream bomb(PDDocument document, int times) throws IOException {
        COSStream stream = document.getDocument().createCOSStream();
        // Deflated here: PDFBox would hold the whole stream in memory to encode it.
        OutputStream out = stream.createRawOutputStream();
        for (int i = 0; i < times; i++) {
            out = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_SPEED), 65_536);
        }
        try (OutputStream deflating = out;
             InputStream operators = Bombs.repeated("", "BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n", "")) {
            operators.transferTo(deflating);
        }
        COSArray filters = new COSArray();
        for (int i = 0; i < times; i++) {
            filters.add(COSName.FLATE_DECODE);
        }
        stream.setItem(COSName.FILTER, times == 1 ? COSName.FLATE_DECODE : filters);
        return stream;
    }

    static COSStream plain(PDDocument document, String operators) throws IOException {
        COSStream stream = document.getDocument().createCOSStream();
        try (OutputStream out = stream.createRawOutputStream()) {
            out.write(operators.getBytes(StandardCharsets.US_ASCII));
        }
        return stream;
    }

    /** Makes {@code stream} a form XObject with the resources. */
    static COSStream form(COSStream stream, COSDictionary resources) {
        stream.setItem(COSName.TYPE, COSName.XOBJECT);
        stream.setItem(COSName.SUBTYPE, COSName.FORM);
        stream.setItem(COSName.BBOX, new PDRectangle(612, 792).getCOSArray());
        stream.setItem(COSName.RESOURCES, resources);
        return stream;
    }

    static byte[] save(PDDocument document) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        document.save(out);
        return out.toByteArray();
    }
}
