package org.atrium.knowledge.extraction;

import org.apache.commons.io.input.BoundedInputStream;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.filter.Filter;
import org.apache.pdfbox.filter.FilterFactory;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Decodes, through the document's {@link InflationGuard}, every stream of a PDF page that text extraction decodes:
 * the page's content streams, the form XObjects they draw (at any depth), the appearance streams of its annotations,
 * and the streams of its fonts (Type 3 glyph procedures, ToUnicode and encoding CMaps, embedded font files).
 *
 * <p>Each stream is decoded filter by filter with PDFBox's own filters, the output of each filter counted as it is
 * written. Not with {@code COSStream.createInputStream()}: PDFBox 3 decodes a stream whole into a byte array before
 * that stream returns its first byte, so counting it would come after the heap was full. Objects are visited once
 * (by identity; PDFBox resolves a reference to the same object every time), so shared or cyclic references are
 * counted once and cannot loop. Image streams are not visited: text extraction does not decode them.
 *
 * <p>One instance per inspected document, used by one thread.
 */
final class PdfStreams {

    /** Filters that decode images; on a stream text extraction reads, PDFBox would not get text out of them. */
    private static final Set<COSName> IMAGE_FILTERS = Set.of(COSName.DCT_DECODE, COSName.DCT_DECODE_ABBREVIATION,
            COSName.JPX_DECODE, COSName.CCITTFAX_DECODE, COSName.CCITTFAX_DECODE_ABBREVIATION, COSName.JBIG2_DECODE);

    private static final List<COSName> FONT_FILES = List.of(COSName.FONT_FILE, COSName.FONT_FILE2,
            COSName.FONT_FILE3);

    private final ExtractionLimits limits;
    private final InflationGuard guard;
    private final Set<COSBase> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    private long largest;

    PdfStreams(ExtractionLimits limits, InflationGuard guard) {
        this.limits = limits;
        this.guard = guard;
    }

    /** @return the most bytes one stream decoded to so far */
    long largest() {
        return largest;
    }

    /** Decodes the streams of one page. */
    void page(PDPage pdPage) throws IOException {
        COSDictionary page = pdPage.getCOSObject();
        contents(page.getDictionaryObject(COSName.CONTENTS));
        // Inherited from the page tree when the page has none of its own.
        PDResources inherited = pdPage.getResources();
        resources(inherited == null ? null : inherited.getCOSObject());
        if (page.getDictionaryObject(COSName.ANNOTS) instanceof COSArray annotations) {
            for (int i = 0; i < annotations.size(); i++) {
                if (annotations.getObject(i) instanceof COSDictionary annotation && visited.add(annotation)
                        && annotation.getDictionaryObject(COSName.AP) instanceof COSDictionary appearances) {
                    for (COSName kind : List.of(COSName.N, COSName.R, COSName.D)) {
                        appearance(appearances.getDictionaryObject(kind));
                    }
                }
            }
        }
    }

    private void contents(COSBase contents) throws IOException {
        if (contents instanceof COSStream stream) {
            decode(stream);
        } else if (contents instanceof COSArray array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.getObject(i) instanceof COSStream stream) {
                    decode(stream);
                }
            }
        }
    }

    /** An appearance is a form XObject, or a dictionary of them by state (on, off). */
    private void appearance(COSBase appearance) throws IOException {
        if (appearance instanceof COSStream form) {
            form(form);
        } else if (appearance instanceof COSDictionary states && visited.add(states)) {
            for (COSName state : states.keySet()) {
                if (states.getDictionaryObject(state) instanceof COSStream form) {
                    form(form);
                }
            }
        }
    }

    private void resources(@Nullable COSBase resources) throws IOException {
        if (!(resources instanceof COSDictionary dictionary) || !visited.add(dictionary)) {
            return;
        }
        if (dictionary.getDictionaryObject(COSName.XOBJECT) instanceof COSDictionary xobjects) {
            for (COSName name : xobjects.keySet()) {
                if (xobjects.getDictionaryObject(name) instanceof COSStream xobject
                        && COSName.FORM.equals(xobject.getCOSName(COSName.SUBTYPE))) {
                    form(xobject);
                }
            }
        }
        if (dictionary.getDictionaryObject(COSName.FONT) instanceof COSDictionary fonts) {
            for (COSName name : fonts.keySet()) {
                if (fonts.getDictionaryObject(name) instanceof COSDictionary font) {
                    font(font);
                }
            }
        }
    }

    private void form(COSStream form) throws IOException {
        if (visited.add(form)) {
            decoded(form);
            resources(form.getDictionaryObject(COSName.RESOURCES));
        }
    }

    private void font(COSDictionary font) throws IOException {
        if (!visited.add(font)) {
            return;
        }
        for (COSName cmap : List.of(COSName.TO_UNICODE, COSName.ENCODING, COSName.CID_TO_GID_MAP)) {
            if (font.getDictionaryObject(cmap) instanceof COSStream stream) {
                decode(stream);
            }
        }
        if (font.getDictionaryObject(COSName.FONT_DESC) instanceof COSDictionary descriptor) {
            for (COSName file : FONT_FILES) {
                if (descriptor.getDictionaryObject(file) instanceof COSStream stream) {
                    decode(stream);
                }
            }
        }
        if (font.getDictionaryObject(COSName.DESCENDANT_FONTS) instanceof COSArray descendants) {
            for (int i = 0; i < descendants.size(); i++) {
                if (descendants.getObject(i) instanceof COSDictionary descendant) {
                    font(descendant);
                }
            }
        }
        // Type 3: each glyph is a content stream, drawn with the font's own resources.
        if (font.getDictionaryObject(COSName.CHAR_PROCS) instanceof COSDictionary procedures) {
            for (COSName glyph : procedures.keySet()) {
                if (procedures.getDictionaryObject(glyph) instanceof COSStream procedure) {
                    decode(procedure);
                }
            }
        }
        resources(font.getDictionaryObject(COSName.RESOURCES));
    }

    private void decode(COSStream stream) throws IOException {
        if (visited.add(stream)) {
            decoded(stream);
        }
    }

    /**
     * Decodes one encoded stream (an unencoded one is no larger than the file) through all its filters, each filter's
     * output counted as one part (the ratio against the bytes that filter consumed), intermediate outputs in a
     * temporary file. A damaged or unknown encoding ends the decoding quietly: PDFBox is lenient with damaged streams,
     * and so is this check.
     */
    private void decoded(COSStream stream) throws IOException {
        List<COSName> filters = filters(stream.getFilters());
        if (filters.isEmpty() || filters.stream().anyMatch(IMAGE_FILTERS::contains)) {
            return;
        }
        List<Path> stages = new ArrayList<>();
        try {
            InputStream input = stream.createRawInputStream();
            for (int i = 0; i < filters.size(); i++) {
                Filter filter = FilterFactory.INSTANCE.getFilter(filters.get(i));
                boolean last = i == filters.size() - 1;
                Path stage = last ? null : Files.createTempFile("atrium-pdf-stream-", ".bin");
                if (stage != null) {
                    stages.add(stage);
                }
                try (BoundedInputStream consumed = BoundedInputStream.builder().setInputStream(input).get();
                     OutputStream sink = stage == null ? OutputStream.nullOutputStream() : Files.newOutputStream(stage);
                     InflationGuard.CountedOutput counted = guard.countWritten(sink, limits.maxEntryBytes(),
                             consumed::getCount)) {
                    filter.decode(consumed, counted, stream, i);
                    if (last) {
                        largest = Math.max(largest, counted.written());
                    }
                }
                if (stage != null) {
                    input = Files.newInputStream(stage);
                }
            }
        } catch (InflationGuard.LimitExceeded bomb) {
            throw bomb;
        } catch (IOException | RuntimeException damaged) {
            guard.check();
        } finally {
            for (Path stage : stages) {
                Files.deleteIfExists(stage);
            }
        }
    }

    private static List<COSName> filters(COSBase filters) {
        if (filters instanceof COSName name) {
            return List.of(name);
        }
        List<COSName> names = new ArrayList<>();
        if (filters instanceof COSArray array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.getObject(i) instanceof COSName name) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
