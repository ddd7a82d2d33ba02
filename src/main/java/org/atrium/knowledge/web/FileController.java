package org.atrium.knowledge.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.atrium.knowledge.BatchUploadService;
import org.atrium.knowledge.CollectionFile;
import org.atrium.knowledge.FileMetadata;
import org.atrium.knowledge.FileService;
import org.atrium.knowledge.KnowledgeFile;
import org.atrium.platform.AtriumException;
import org.atrium.platform.Page;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Files in collections: upload, add, list, change, download, remove, delete. {@code GET /api/v1/files/{fileId}} is
 * served by {@code compat.openwebui}, because Open WebUI's API has the same path: one endpoint answers Atrium's fields
 * and Open WebUI's together (docs/compatibility.md).
 */
@RestController
@Tag(name = "Files", description = "Files in knowledge collections and their ingestion (extraction, chunking,"
        + " embedding) in the background.")
class FileController {

    private static final String METADATA_DESCRIPTION = "Optional multipart part `metadata`: a JSON object of"
            + " strings stored with the file and returned wherever the file is described, at most 32 keys of 1 to 64"
            + " characters (`A-Z a-z 0-9 _ . -`), values of at most 512 characters without control characters,"
            + " 128 KiB in all.";

    private final FileService files;
    private final BatchUploadService batches;
    private final JsonMapper json;

    FileController(FileService files, BatchUploadService batches, JsonMapper json) {
        this.files = files;
        this.batches = batches;
        this.json = json;
    }

    @Schema(description = "A change of a file: its metadata, replaced as a whole.")
    record UpdateFileRequest(
            @Schema(description = "The new metadata, replacing the old: a JSON object of strings ({} removes all).",
                    example = "{\"department\": \"physics\", \"year\": \"2026\"}") @NotNull JsonNode metadata) {
    }

    @Schema(description = "Why one file of a batch was refused, as the problem a single upload would answer.")
    record ItemProblem(@Schema(example = "unsupported_file_type") String code,
                       @Schema(example = "The file's content is image/png, which Atrium does not extract text from.")
                       String detail) {
    }

    @Schema(description = "What became of one file of a batch upload.")
    record BatchItem(
            @Schema(description = "The file's position among the request's `file` parts, from 0.", example = "0")
            int index,
            @Schema(description = "The file's display name.", example = "handbook.pdf") String name,
            @Schema(description = "`202` when stored and queued, else the status a single upload would answer.",
                    example = "202") int status,
            @Schema(description = "The file as listed in the collection, when stored.", nullable = true)
            @Nullable CollectionFile file,
            @Schema(description = "Why it was refused, when it was.", nullable = true) @Nullable ItemProblem problem) {
    }

    @Schema(description = "The outcome of each file of a batch upload, in the order the parts were sent.")
    record BatchResult(List<BatchItem> results) {
    }

    @PostMapping(path = "/api/v1/collections/{collectionId}/files", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Upload a file",
            description = "Stores the file (multipart part `file`), adds it to the collection and queues its"
                    + " ingestion. Answers `202` as soon as the bytes are durably stored; follow progress with"
                    + " `GET /api/v1/collections/{collectionId}/files` or the `file.status` events of"
                    + " `/api/v1/events`. The type is detected from the content: the name's extension (`.txt`, `.md`,"
                    + " `.csv`, ...) and the part's `Content-Type` only choose among text types when the content is"
                    + " text in any character set (a PDF named `notes.txt` is a PDF); the name is kept for display."
                    + " Needs `permissions.uploadFiles` and write access.\n\n"
                    + "**Retrying safely:** send an `Idempotency-Key` header (1 to 255 visible ASCII characters, for"
                    + " example a UUID) chosen once per upload. Repeating the request with the same key, the same"
                    + " collection and the same bytes within 24 hours answers `202` with the file stored the first"
                    + " time instead of storing a second one; repeats sent concurrently store it once. The same key"
                    + " with another collection or other bytes answers `409 idempotency_key_reused`. Keys belong to"
                    + " the caller's account; a repeat keeps the first upload's metadata.\n\n" + METADATA_DESCRIPTION
                    + " Several files in one request: `POST /api/v1/collections/{collectionId}/files/batch`.")
    @ApiResponse(responseCode = "202", description = "Stored (or, for a repeated `Idempotency-Key`, stored the first"
            + " time); ingestion is `queued`, or `failed` at once when no embedding model or credential is set (the"
            + " reason says which admin must set what).")
    @ApiResponse(responseCode = "400", description = "`file_empty`: the file has no bytes; `invalid_parameter`:"
            + " no part named `file`, or several (send those to `.../files/batch`); or `validation_failed`: the"
            + " `metadata` part is not a JSON object of strings, or is beyond its bounds. Nothing is stored.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: uploading is not granted; or"
            + " `forbidden`: the caller may only read the collection.")
    @ApiResponse(responseCode = "401", description = "`invalid_credentials`: the caller's account was deleted while"
            + " the upload ran.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours (or it"
            + " was deleted while the upload ran); or `file_not_found`: the file first stored with this"
            + " `Idempotency-Key` has since been removed from the collection.")
    @ApiResponse(responseCode = "409", description = "`idempotency_key_reused`: the key was used for another"
            + " collection or other bytes; or `conflict`: the upload kept colliding with concurrent changes (nothing"
            + " was stored; send it again).")
    @ApiResponse(responseCode = "413", description = "`file_too_large`: larger than"
            + " `atrium.knowledge.max-file-size`.")
    @ApiResponse(responseCode = "415", description = "`unsupported_file_type`: the content is not PDF, DOCX, PPTX,"
            + " XLSX, HTML, Markdown, text or CSV.")
    @ApiResponse(responseCode = "422", description = "`decompression_bomb`: a part that type detection reads (such as"
            + " `[Content_Types].xml`) inflates beyond the limits.")
    ResponseEntity<CollectionFile> upload(EffectiveState state,
                                          @Parameter(description = "The collection's id.") @PathVariable
                                          UUID collectionId,
                                          @Parameter(description = "The file's bytes; the type is detected"
                                                  + " from them (see above).", schema = @Schema(type = "string",
                                                  format = "binary", example = "Lab coats are required in rooms 2"
                                                  + " and 3.")) @RequestPart("file") MultipartFile file,
                                          @Parameter(description = "Key-value metadata for the file, a JSON"
                                                  + " object of strings.", schema = @Schema(type = "string",
                                                  example = "{\"department\": \"physics\"}"))
                                          @RequestPart(name = "metadata", required = false) @Nullable Part metadata,
                                          @Parameter(description = "A key chosen once per upload, so that the"
                                                  + " request can be repeated without storing the file twice.",
                                                  example = "4f1c2d9e-upload-7") @RequestHeader(name =
                                                  "Idempotency-Key", required = false) @Nullable
                                          String idempotencyKey,
                                          @Parameter(hidden = true) HttpServletRequest request) {
        if (fileParts(request).size() > 1) {
            throw AtriumException.badRequest("invalid_parameter", "This request has several parts named 'file';"
                    + " send several files to POST /api/v1/collections/{collectionId}/files/batch.");
        }
        Map<String, String> entries = FileMetadata.fromPart(metadata, json);
        String name = file.getOriginalFilename() == null ? "file" : file.getOriginalFilename();
        CollectionFile stored = files.upload(state, collectionId, name, file.getContentType(), file.getSize(), file,
                idempotencyKey, entries);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/files/" + stored.fileId()))
                .body(stored);
    }

    @PostMapping(path = "/api/v1/collections/{collectionId}/files/batch",
            consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Upload several files",
            description = "Stores up to 100 files sent as multipart parts named `file` (all in one body, within the"
                    + " multipart limits of a single upload: docs/limits.md), adds them to the collection and queues"
                    + " their ingestion, each exactly as `POST /api/v1/collections/{collectionId}/files` would, in"
                    + " its own transaction. Each file has its own outcome in `results`, in the order of the parts:"
                    + " one refused (empty, of an unsupported type, a decompression bomb) does not keep the others"
                    + " from being stored. Follow them with the collection's `files` counts, the listing's `status`"
                    + " filter, or the `collection.settled` event.\n\n" + METADATA_DESCRIPTION + " It applies to"
                    + " every file of the request.\n\n`Idempotency-Key` is not accepted here (`400`): to repeat"
                    + " uploads safely, send each file to the single upload with its own key.")
    @ApiResponse(responseCode = "200", description = "Each file's outcome: `status` `202` with the `file` stored, or"
            + " the status and `problem` a single upload would have answered for it.")
    @ApiResponse(responseCode = "400", description = "`invalid_parameter`: no part named `file`, or an"
            + " `Idempotency-Key` header; or `validation_failed`: the `metadata` part is not a JSON object of"
            + " strings, or is beyond its bounds. Nothing is stored.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: uploading is not granted; or"
            + " `forbidden`: the caller may only read the collection.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    @ApiResponse(responseCode = "413", description = "`too_many_files`: more than 100 parts named `file`;"
            + " `file_too_large`: one file is larger than `atrium.knowledge.max-file-size` (the multipart parser"
            + " stops there; nothing is stored).")
    ResponseEntity<BatchResult> uploadBatch(EffectiveState state,
                                            @Parameter(description = "The collection's id.") @PathVariable
                                            UUID collectionId,
                                            @Parameter(description = "The files, each its own part named `file`.",
                                                    array = @io.swagger.v3.oas.annotations.media.ArraySchema(
                                                            schema = @Schema(type = "string", format = "binary",
                                                                    example = "Lab coats are required in rooms 2"
                                                                            + " and 3.")))
                                            @RequestPart("file") List<MultipartFile> file,
                                            @Parameter(description = "Key-value metadata for every file, a JSON"
                                                    + " object of strings.", schema = @Schema(type = "string",
                                                    example = "{\"department\": \"physics\"}"))
                                            @RequestPart(name = "metadata", required = false) @Nullable
                                            Part metadata,
                                            @Parameter(hidden = true) @RequestHeader(name = "Idempotency-Key",
                                                    required = false) @Nullable String idempotencyKey) {
        if (idempotencyKey != null) {
            throw AtriumException.badRequest("invalid_parameter", "Idempotency-Key is not accepted on batch uploads;"
                    + " to repeat uploads safely, send each file to POST /api/v1/collections/{collectionId}/files"
                    + " with its own key.");
        }
        Map<String, String> entries = FileMetadata.fromPart(metadata, json);
        List<BatchUploadService.UploadPart> parts = file.stream().map(part -> new BatchUploadService.UploadPart(
                part.getOriginalFilename() == null ? "file" : part.getOriginalFilename(), part.getContentType(),
                part.getSize(), part)).toList();
        List<BatchUploadService.BatchItem> items = batches.uploadAll(state, collectionId, parts, entries);
        List<BatchItem> results = new java.util.ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            BatchUploadService.BatchItem item = items.get(i);
            AtriumException refusal = item.refusal();
            results.add(refusal == null
                    ? new BatchItem(i, item.name(), HttpStatus.ACCEPTED.value(), item.file(), null)
                    : new BatchItem(i, item.name(), refusal.status().value(), null,
                    new ItemProblem(refusal.code(), refusal.getMessage())));
        }
        return ResponseEntity.ok(new BatchResult(results));
    }

    @GetMapping("/api/v1/collections/{collectionId}/files")
    @Operation(summary = "List a collection's files",
            description = "The collection's files in the order they were added, each with its ingestion status for"
                    + " the collection's embedding model: `queued`, `extracting`, `embedding` (with chunks done and"
                    + " total), `ready` or `failed` (with a code and a reason), and its metadata. `status` keeps only"
                    + " the files that are `queued`, `running` (extracting or embedding), `ready` or `failed`; the"
                    + " collection's `files` counts say how many there are of each.")
    @ApiResponse(responseCode = "200", description = "One page of files.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range, or"
            + " `status` is not `queued`, `running`, `ready` or `failed`.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    Page<CollectionFile> list(EffectiveState state,
                              @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                              @Parameter(description = "Only files with this status (`running`: extracting or"
                                      + " embedding).", schema = @Schema(type = "string",
                                      allowableValues = {"queued", "running", "ready", "failed"}))
                              @RequestParam(required = false) @Nullable String status,
                              @Parameter(description = "How many files to skip.", example = "0")
                              @RequestParam(defaultValue = "0") @Min(0) int offset,
                              @Parameter(description = "Page size, 1 to 200.", example = "50")
                              @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return files.list(state, collectionId, status, offset, limit);
    }

    @PutMapping("/api/v1/collections/{collectionId}/files/{fileId}")
    @Operation(summary = "Add a file to a collection",
            description = "Adds a file the caller may read (it is in a collection they may read, or they uploaded"
                    + " it) to a collection they may write. The file is stored once and its chunks are shared; it is"
                    + " embedded again only if the collection uses another embedding model. Adding it twice changes"
                    + " nothing.")
    @ApiResponse(responseCode = "200", description = "The file as listed in the collection.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may only read the collection.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours; or"
            + " `file_not_found`: no such file, or not one the caller may read.")
    CollectionFile add(EffectiveState state,
                       @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                       @Parameter(description = "The file's id.") @PathVariable UUID fileId) {
        return files.add(state, collectionId, fileId);
    }

    @DeleteMapping("/api/v1/collections/{collectionId}/files/{fileId}")
    @Operation(summary = "Remove a file from a collection",
            description = "Removes the file from this collection only. When no collection holds it any more, the"
                    + " file is deleted everywhere: rows, chunks and vectors at once, stored bytes within seconds."
                    + " Removing a file that is not there succeeds. Needs write access.")
    @ApiResponse(responseCode = "204", description = "It is no longer in the collection.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may only read the collection.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    ResponseEntity<Void> remove(EffectiveState state,
                                @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                                @Parameter(description = "The file's id.") @PathVariable UUID fileId) {
        files.remove(state, collectionId, fileId);
        return ResponseEntity.noContent().build();
    }

    @PatchMapping("/api/v1/files/{fileId}")
    @Operation(summary = "Replace a file's metadata",
            description = "Replaces the file's key-value metadata as a whole, in every collection that holds it."
                    + " Only its uploader or an instance admin may, as for deleting it. Bounds as at upload: at most"
                    + " 32 keys of 1 to 64 characters (`A-Z a-z 0-9 _ . -`), values of at most 512 characters"
                    + " without control characters.")
    @ApiResponse(responseCode = "200", description = "The file after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `metadata` is missing, not an object of"
            + " strings, or beyond its bounds.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may read the file but did not upload"
            + " it.")
    @ApiResponse(responseCode = "404", description = "`file_not_found`: no such file, or not one the caller may"
            + " read.")
    KnowledgeFile update(EffectiveState state, @Parameter(description = "The file's id.") @PathVariable UUID fileId,
                         @Valid @RequestBody UpdateFileRequest body) {
        return files.replaceMetadata(state, fileId, FileMetadata.fromTree("metadata", body.metadata()));
    }

    @GetMapping("/api/v1/files/{fileId}/content")
    @Operation(summary = "Download a file",
            description = "The stored bytes, streamed, as an attachment with the detected type, `nosniff` and a"
                    + " sandboxing `Content-Security-Policy`, so that an uploaded HTML or SVG file never runs as"
                    + " Atrium.")
    @ApiResponse(responseCode = "200", description = "The bytes.",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                    schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "404", description = "`file_not_found`: no such file, or not one the caller may"
            + " read.")
    ResponseEntity<InputStreamResource> download(EffectiveState state,
                                                 @Parameter(description = "The file's id.") @PathVariable
                                                 UUID fileId) {
        FileService.Download download = files.download(state, fileId);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(download.mediaType()))
                .contentLength(download.size())
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(download.name(), StandardCharsets.UTF_8).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                // Uploaded HTML or SVG opened anyway (a browser that ignores attachment) runs in an opaque origin,
                // without scripts, so it can never act as Atrium.
                .header("Content-Security-Policy", "default-src 'none'; sandbox")
                .body(new InputStreamResource(download.content()));
    }

    @DeleteMapping("/api/v1/files/{fileId}")
    @Operation(summary = "Delete a file everywhere",
            description = "Removes the file from every collection and every store: rows, chunks and vectors at once,"
                    + " stored bytes within seconds (even if this replica stops right after answering), queued"
                    + " ingestion jobs; a running ingestion stops and writes nothing more. Only its uploader or an"
                    + " instance admin may. Deleting a file that does not exist, or that the caller may not see,"
                    + " answers `204` and changes nothing.")
    @ApiResponse(responseCode = "204", description = "It is gone.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may read the file but did not upload"
            + " it; remove it from your collection instead.")
    ResponseEntity<Void> delete(EffectiveState state,
                                @Parameter(description = "The file's id.") @PathVariable UUID fileId) {
        files.delete(state, fileId);
        return ResponseEntity.noContent().build();
    }

    /** The request's parts named {@code file}. */
    private static List<MultipartFile> fileParts(HttpServletRequest request) {
        return request instanceof MultipartHttpServletRequest multipart ? multipart.getFiles("file") : List.of();
    }
}
