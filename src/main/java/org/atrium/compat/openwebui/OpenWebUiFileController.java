package org.atrium.compat.openwebui;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import org.atrium.knowledge.FileMetadata;
import org.atrium.knowledge.FileService;
import org.atrium.knowledge.KnowledgeFile;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import tools.jackson.databind.json.JsonMapper;

import java.util.UUID;

/**
 * Open WebUI's file endpoints for API-key scripts: upload a file on its own, read it, follow its processing. Deleting
 * is Atrium's own {@code DELETE /api/v1/files/{id}}; reading answers Atrium's fields and Open WebUI's together, since
 * both APIs name the path alike (docs/compatibility.md).
 */
@RestController
@Tag(name = "Open WebUI compatibility", description = "Open WebUI's documented API-key endpoints for files and"
        + " knowledge, over Atrium's collections and files (docs/compatibility.md). Errors are Atrium's problem"
        + " details, whose `detail` is where Open WebUI's clients read the message.")
class OpenWebUiFileController {

    private final FileService files;
    private final ProcessingWatch watch;
    private final JsonMapper json;

    OpenWebUiFileController(FileService files, ProcessingWatch watch, JsonMapper json) {
        this.files = files;
        this.watch = watch;
        this.json = json;
    }

    @PostMapping(path = "/api/v1/files/", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Upload a file (Open WebUI)",
            description = "Open WebUI's `POST /api/v1/files/`: stores the file (multipart part `file`) in none of"
                    + " your collections (it is held by your hidden uploads collection until you delete it) and"
                    + " extracts and embeds it in the background, as any upload. Add it to knowledge with"
                    + " `POST /api/v1/knowledge/{id}/file/add`. Follow processing with"
                    + " `GET /api/v1/files/{id}/process/status`. `process=false` is accepted but Atrium processes"
                    + " every file; `process_in_background=false` answers once processing settled (at most five"
                    + " minutes, then `pending`). The optional part `metadata` is a JSON object of strings (bounds"
                    + " as for Atrium's uploads). Needs `permissions.uploadFiles`.")
    @ApiResponse(responseCode = "200", description = "The stored file, with `\"status\": true` and `data.status`.")
    @ApiResponse(responseCode = "400", description = "`invalid_parameter`: no part named `file`, or several;"
            + " `file_empty`; or `validation_failed`: `metadata` is not a JSON object of strings within bounds.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: uploading is not granted.")
    @ApiResponse(responseCode = "413", description = "`file_too_large`: larger than"
            + " `atrium.knowledge.max-file-size`.")
    @ApiResponse(responseCode = "415", description = "`unsupported_file_type`: the content is not PDF, DOCX, PPTX,"
            + " XLSX, HTML, Markdown, text or CSV.")
    @ApiResponse(responseCode = "422", description = "`decompression_bomb`: a part type detection reads inflates"
            + " beyond the limits.")
    OpenWebUiFile upload(EffectiveState state,
                         @Parameter(description = "The file's bytes; the type is detected from them.",
                                 schema = @Schema(type = "string", format = "binary",
                                 example = "Lab coats are required in rooms 2 and 3.")) @RequestPart("file")
                         MultipartFile file,
                         @Parameter(description = "Key-value metadata, a JSON object of strings.",
                                 schema = @Schema(type = "string", example = "{\"department\": \"physics\"}"))
                         @RequestPart(name = "metadata", required = false) @Nullable Part metadata,
                         @Parameter(description = "Accepted for Open WebUI's clients; Atrium processes every file.")
                         @RequestParam(defaultValue = "true") boolean process,
                         @Parameter(description = "`false`: answer once processing settled.")
                         @RequestParam(name = "process_in_background", defaultValue = "true")
                         boolean processInBackground,
                         @Parameter(hidden = true) HttpServletRequest request) throws InterruptedException {
        if (request instanceof MultipartHttpServletRequest multipart && multipart.getFiles("file").size() > 1) {
            throw AtriumException.badRequest("invalid_parameter", "This request has several parts named 'file'; send"
                    + " one file per request.");
        }
        String name = file.getOriginalFilename() == null ? "file" : file.getOriginalFilename();
        KnowledgeFile stored = files.uploadUnfiled(state, name, file.getContentType(), file.getSize(), file,
                FileMetadata.fromPart(metadata, json));
        if (!processInBackground) {
            stored = watch.awaitSettled(state, stored.id());
        }
        return OpenWebUiFile.of(stored, true);
    }

    @GetMapping("/api/v1/files/{fileId}")
    @Operation(summary = "Read a file",
            description = "Atrium's fields (name, detected type, size, SHA-256, ingestion per embedding model,"
                    + " metadata) and Open WebUI's `FileModel` fields (`user_id`, `hash`, `filename`,"
                    + " `data.status`, `meta`, `created_at`, `updated_at` in epoch seconds) in one object: the"
                    + " path is Atrium's `GET /api/v1/files/{fileId}` and Open WebUI's alike.")
    @ApiResponse(responseCode = "200", description = "The file.")
    @ApiResponse(responseCode = "404", description = "`file_not_found`: no such file, or not one the caller may"
            + " read.")
    OpenWebUiFile get(EffectiveState state, @Parameter(description = "The file's id.") @PathVariable UUID fileId) {
        return OpenWebUiFile.of(files.get(state, fileId), false);
    }

    @GetMapping("/api/v1/files/{fileId}/process/status")
    @Operation(summary = "A file's processing status (Open WebUI)",
            description = "`{\"status\": \"pending\" | \"completed\" | \"failed\"}` (with `error` when failed):"
                    + " `pending` while an embedding model's ingestion of the file is queued or running. With"
                    + " `stream=true`, a `text/event-stream` of `data: {\"status\": ...}` events, the first at once"
                    + " and then one per change, ending after `completed` or `failed` (or `not_found` when the file"
                    + " is deleted meanwhile), after an hour at most.")
    @ApiResponse(responseCode = "200", description = "The status, or the stream of statuses.",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON_VALUE),
                    @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE)})
    @ApiResponse(responseCode = "404", description = "`file_not_found`: no such file, or not one the caller may"
            + " read.")
    @ApiResponse(responseCode = "429", description = "`too_many_streams`: with `stream=true`, the caller has 32"
            + " status streams open on this replica, or the replica 1024; close one, or poll without `stream`.",
            headers = @Header(name = HttpHeaders.RETRY_AFTER, description = "seconds to wait",
                    schema = @Schema(type = "integer")))
    ResponseEntity<?> status(EffectiveState state, @Parameter(description = "The file's id.") @PathVariable
                             UUID fileId,
                             @Parameter(description = "`true`: a stream of events until processing settled.")
                             @RequestParam(defaultValue = "false") boolean stream) {
        OpenWebUiFile.Data now = OpenWebUiFile.processing(files.get(state, fileId));
        if (stream) {
            return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).header("Cache-Control", "no-cache")
                    .body(watch.stream(state, fileId));
        }
        return ResponseEntity.ok(now);
    }
}
