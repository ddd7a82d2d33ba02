package org.atrium.chat.presets;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a caller may do with a preset; {@link #MANAGE} includes {@link #USE}. */
public enum PresetAccess {
    /** See it, find it among the models and answer with it: the owning group's members. */
    @JsonProperty("use") USE,
    /** Also change and delete it: its owner, the owning group's admins, instance admins. */
    @JsonProperty("manage") MANAGE
}
