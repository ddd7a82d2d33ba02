/**
 * Presets: named models from a base model, a system prompt, parameters, default knowledge and fallback models, owned
 * by a user or a group like collections; their API facade, their place in the model list and how an answer is made
 * from one (base model, prompt, parameters, fallback models before the first byte).
 */
@NullMarked
package org.atrium.chat.presets;

import org.jspecify.annotations.NullMarked;
