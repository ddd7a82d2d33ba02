package org.atrium.accounts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an approved account may do beyond using the workspace. Granted through inherited settings
 * ({@code permissions.*}); instance admins have every permission.
 */
public enum Permission {
    /** Upload files. */
    @JsonProperty("uploadFiles") UPLOAD_FILES,
    /** Create knowledge collections. */
    @JsonProperty("createCollections") CREATE_COLLECTIONS,
    /** Create personal API keys. */
    @JsonProperty("createApiKeys") CREATE_API_KEYS,
    /** Override the settings their groups allow users to override, and keep their own provider credentials. */
    @JsonProperty("overrideSettings") OVERRIDE_SETTINGS
}
