package org.atrium.knowledge;

import org.atrium.platform.AtriumException;
import org.atrium.providers.Embedder;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import java.util.UUID;

/**
 * The embedding model a user's own choice names (the one their personal collections are embedded with: their effective
 * {@code embedding.connection} and {@code embedding.model}, with the credential that applies), for embeddings asked
 * for directly, outside any collection (the OpenAI-compatible {@code /v1/embeddings}).
 */
@Service
public class CallerEmbeddings {

    private final EmbeddingTargets targets;

    CallerEmbeddings(EmbeddingTargets targets) {
        this.targets = targets;
    }

    /**
     * @param userId the caller
     * @return the embedder of their choice, with its credential
     * @throws AtriumException (409) {@code embedding_not_configured}, {@code embedding_connection_unknown},
     *                         {@code embedding_credential_missing} or {@code embedding_credential_deleted}, saying
     *                         which admin must set what
     */
    public Embedder forUser(UUID userId) {
        return switch (targets.resolve(userId, null)) {
            case EmbeddingTargets.Ready ready -> targets.embedder(ready).orElseThrow(() -> new AtriumException(
                    HttpStatus.CONFLICT, "embedding_credential_deleted", "The credential chosen for embedding was"
                    + " deleted."));
            case EmbeddingTargets.Unavailable unavailable -> throw new AtriumException(HttpStatus.CONFLICT,
                    unavailable.code(), "Embeddings use the model your personal collections use. "
                    + unavailable.reason());
        };
    }
}
