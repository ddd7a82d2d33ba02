package org.atrium.compat.ollama;

import org.atrium.models.CatalogueModel;
import org.atrium.models.ConnectionKind;
import org.atrium.models.ModelCatalogue;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.springframework.stereotype.Component;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The caller's models of Ollama connections, under the names Ollama's clients use. A plain name ({@code llama3.2},
 * {@code llama3.2:latest}: {@code :latest} is implied as Ollama implies it) is the model of the first Ollama
 * connection, in the catalogue's order, that offers it; {@code <connection>/<model>} names one connection's. The
 * list shows each model under the name that reaches it: the plain name for the first connection offering it, the
 * catalogue id for the others.
 */
@Component
class OllamaModels {

    private static final String LATEST = ":latest";

    private final ModelCatalogue catalogue;

    OllamaModels(ModelCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    /**
     * @param state the caller's effective state
     * @return each Ollama model of the caller's catalogue, by the name that reaches it, in the catalogue's order
     */
    Map<String, CatalogueModel> named(EffectiveState state) {
        Map<String, CatalogueModel> named = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (CatalogueModel model : catalogue.models(state).items()) {
            if (model.kind() != ConnectionKind.OLLAMA) {
                continue;
            }
            named.put(taken.add(plain(model.model())) ? model.model() : model.id(), model);
        }
        return named;
    }

    /**
     * @param state the caller's effective state
     * @param name  the model as the client named it
     * @return its catalogue id
     * @throws AtriumException {@code model_not_found} (404) when no Ollama connection of the caller's offers it
     */
    String catalogueId(EffectiveState state, String name) {
        String wanted = plain(name);
        for (Map.Entry<String, CatalogueModel> entry : named(state).entrySet()) {
            if (plain(entry.getKey()).equals(wanted) || entry.getValue().id().equals(name)) {
                return entry.getValue().id();
            }
        }
        throw AtriumException.notFound("model_not_found", "model '" + name + "' not found: none of your Ollama"
                + " connections offers it (GET /ollama/api/tags lists those that do)");
    }

    private static String plain(String name) {
        return name.endsWith(LATEST) ? name.substring(0, name.length() - LATEST.length()) : name;
    }
}
