package org.atrium.knowledge.extraction;

import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.tika.extractor.ParsingEmbeddedDocumentExtractor;
import org.apache.tika.io.TemporaryResources;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.parser.ParseContext;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;

/**
 * Parses documents embedded in a document (attachments, embedded spreadsheets, the entries of an attached archive)
 * within the {@link ExtractionLimits}: at most {@link ExtractionLimits#maxEmbeddedDepth()} deep and
 * {@link ExtractionLimits#maxEmbeddedDocuments()} in all (the ones beyond are skipped, as images are: their text is
 * not indexed), each one's bytes counted by the document's {@link InflationGuard}, and each embedded ZIP checked
 * entry by entry (each gzip stream inflated, ratio checked) before it is opened, so that an archive nested in an
 * archive cannot inflate unchecked. Tar archives are not compressed: their entries are counted as they are read.
 *
 * <p>One per extraction, used by one thread.
 */
final class LimitedEmbeddedExtractor extends ParsingEmbeddedDocumentExtractor {

    private final ExtractionLimits limits;
    private final InflationGuard guard;
    private int depth;
    private int documents;

    LimitedEmbeddedExtractor(ParseContext context, ExtractionLimits limits, InflationGuard guard) {
        super(context);
        this.limits = limits;
        this.guard = guard;
    }

    @Override
    public boolean shouldParseEmbedded(Metadata metadata) {
        return !guard.violated() && depth < limits.maxEmbeddedDepth()
                && documents < limits.maxEmbeddedDocuments() && super.shouldParseEmbedded(metadata);
    }

    @Override
    public void parseEmbedded(InputStream stream, ContentHandler handler, Metadata metadata, boolean outputHtml)
            throws SAXException, IOException {
        guard.check(); // parsers that ignored an earlier refusal stop here
        if (!shouldParseEmbedded(metadata)) {
            return;
        }
        documents++;
        depth++;
        try (TemporaryResources temporary = new TemporaryResources()) {
            TikaInputStream embedded;
            if (stream instanceof TikaInputStream tika && (tika.hasFile() || tika.getOpenContainer() != null)) {
                // Already materialised (or an OLE directory, which has no bytes of its own): nothing left to inflate.
                embedded = tika;
            } else {
                embedded = TikaInputStream.get(guard.count(CloseShieldInputStream.wrap(stream),
                        limits.maxEntryBytes(), null), temporary, metadata);
            }
            if (embedded.getOpenContainer() == null) {
                byte[] prefix = prefix(embedded);
                if (ZipContainers.isZip(prefix, prefix.length)) {
                    ZipContainers.inspect(embedded.getFile(), limits, guard);
                } else if (prefix.length >= 2 && prefix[0] == (byte) 0x1f && prefix[1] == (byte) 0x8b) {
                    gzip(embedded.getFile());
                }
            }
            super.parseEmbedded(embedded, handler, metadata, outputHtml);
        } catch (ExtractionException refused) {
            throw new InflationGuard.LimitExceeded(refused);
        } finally {
            depth--;
        }
    }

    /** Inflates a gzip stream (a {@code .gz} or {@code .tar.gz} attachment) through the guard, ratio checked. */
    private void gzip(File file) throws IOException {
        try (BoundedInputStream raw = BoundedInputStream.builder().setPath(file.toPath()).get();
             InputStream inflated = guard.count(new GZIPInputStream(raw), limits.maxEntryBytes(), raw::getCount)) {
            inflated.transferTo(OutputStream.nullOutputStream());
        } catch (InflationGuard.LimitExceeded bomb) {
            throw bomb;
        } catch (IOException damaged) {
            // Left to the parser, which reports what it can read.
        }
    }

    private static byte[] prefix(TikaInputStream stream) throws IOException {
        stream.mark(4);
        try {
            return stream.readNBytes(4);
        } finally {
            stream.reset();
        }
    }
}
