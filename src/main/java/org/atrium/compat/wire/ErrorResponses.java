package org.atrium.compat.wire;

/**
 * The error responses the compatibility endpoints document (OpenAPI), one wording for all of them: each starts with
 * Atrium's stable code in backticks, the code every compatibility error shape carries.
 */
public final class ErrorResponses {

    /** 400 of a call to a model. */
    public static final String CALL_INVALID = "`validation_failed`: a field is not valid or not supported;"
            + " `provider_rejected`: the provider refused the request.";
    /** 401 everywhere. */
    public static final String UNAUTHENTICATED = "`invalid_credentials`: the API key is unknown, revoked or expired;"
            + " `unauthenticated`: no API key was sent.";
    /** 404 of a call to a model. */
    public static final String MODEL_NOT_FOUND = "`model_not_found`: not a model of the caller's.";
    /** 413 of a conversation sent whole. */
    public static final String TOO_LARGE = "`payload_too_large`: the body is over"
            + " `atrium.http.max-completion-body-size`.";
    /** 429 of a call to a model. */
    public static final String RATE_LIMITED = "`quota_exceeded`: a quota of the caller's refused the call (with"
            + " `Retry-After`); `provider_rate_limited`: the provider refused it for now.";
    /** 502 of a call to a model. */
    public static final String BAD_GATEWAY = "`provider_auth_failed`: the provider refused Atrium's credential for"
            + " it; `provider_invalid_response`: the provider's answer could not be read.";
    /** 503 of a call to a model. */
    public static final String UNAVAILABLE = "`provider_unavailable`: the provider cannot be reached; `circuit_open`:"
            + " the provider keeps failing and is not called for a while.";
    /** 504 of a call to a model. */
    public static final String TIMEOUT = "`provider_timeout`: the provider did not answer in time.";
    /** 400 of embeddings. */
    public static final String EMBEDDING_INVALID = "`validation_failed`: an input is not valid.";
    /** 404 of embeddings. */
    public static final String EMBEDDING_MODEL_NOT_FOUND = "`model_not_found`: not the caller's embedding model.";
    /** 409 of embeddings. */
    public static final String EMBEDDING_UNAVAILABLE = "`embedding_not_configured`: the caller has no embedding"
            + " model; `embedding_credential_missing`: no credential for it applies to the caller (the message says"
            + " which admin must set what).";
    /** 429 of embeddings. */
    public static final String EMBEDDING_QUOTA = "`quota_exceeded`: a quota of the caller's refused the call.";
    /** 502 of embeddings. */
    public static final String EMBEDDING_FAILED = "`embedding_failed`: the provider failed.";

    private ErrorResponses() {
    }
}
