package org.atrium.platform;

/**
 * An error shape other than problem details, answered on some paths (the compatibility APIs answer in the shapes of
 * the APIs they imitate). Beans of this type tell the OpenAPI document how those paths' errors look.
 */
public interface ErrorShape {

    /**
     * @param path a path template of the OpenAPI document
     * @return whether errors of this path come in this shape
     */
    boolean covers(String path);

    /**
     * @param status the HTTP status
     * @param code   the stable code
     * @param detail the sentence for people
     * @return the error's body as this shape writes it, as plain maps and lists (for the document's examples)
     */
    Object example(int status, String code, String detail);
}
