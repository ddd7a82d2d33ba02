package org.atrium.platform;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Pattern;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A name shown to other people (user, group, collection, API key, credential): refused when it contains control
 * characters or bidirectional override or isolate characters (see {@link UntrustedText#DISPLAY_NAME_PATTERN}). They
 * are refused rather than stripped so that what is stored is exactly what the client sent.
 */
@Documented
@Constraint(validatedBy = {})
@Pattern(regexp = UntrustedText.DISPLAY_NAME_PATTERN)
@ReportAsSingleViolation
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE,
        ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface SafeDisplayName {

    /** @return the violation message */
    String message() default "must not contain control characters or bidirectional override characters"
            + " (U+202A to U+202E, U+2066 to U+2069)";

    /** @return validation groups */
    Class<?>[] groups() default {};

    /** @return payload */
    Class<? extends Payload>[] payload() default {};
}
