package org.atrium.models;

import org.atrium.cache.DerivedObjects;
import org.atrium.platform.AtriumException;
import org.atrium.providers.CallTimeouts;
import org.atrium.providers.ProviderConnection;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EmbeddingSettings;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a catalogue id ({@code <connection>/<model>}) into what a chat call needs: the endpoint (connection, extra
 * headers, timeouts) and the caller's credential for it. The model must be in the caller's catalogue: offered by an
 * enabled connection they have a credential for, and allowed by their {@code allowedModels}, so a model hidden from
 * the list cannot be called by naming it.
 *
 * <p>The credential's secret and the connection's extra headers are opened from PostgreSQL once per caller and kept
 * with the stamp of the caller's effective state ({@link DerivedObjects}), so a warm call reads neither. That is never
 * stale: a credential belongs to the instance, one of the caller's groups or the caller, a connection to the instance
 * or one of their groups; every change to either raises that scope, which is in the stamp, and the state is validated
 * on every request. A value read after the state it is kept with is never older than that state.
 */
@Service
public class ModelResolver {

    private final ModelCatalogue catalogue;
    private final ConnectionDirectory directory;
    private final ConnectionService connections;
    private final EmbeddingSettings secrets;
    private final DerivedObjects opened;

    ModelResolver(ModelCatalogue catalogue, ConnectionDirectory directory, ConnectionService connections,
                  EmbeddingSettings secrets, DerivedObjects opened) {
        this.catalogue = catalogue;
        this.directory = directory;
        this.connections = connections;
        this.secrets = secrets;
        this.opened = opened;
    }

    /**
     * A model ready to call. {@link #toString()} leaves the credential out.
     *
     * @param id         the catalogue id
     * @param model      the provider's id for it
     * @param connection the connection's name
     * @param endpoint   where and how to call it
     * @param secret     the caller's credential for the connection, or null when it needs none
     */
    public record ResolvedModel(String id, String model, String connection, ProviderEndpoint endpoint,
                                @Nullable String secret) {

        @Override
        public String toString() {
            return "ResolvedModel[" + id + "]";
        }
    }

    /**
     * @param state the caller's effective state
     * @param id    a catalogue id
     * @return the model with its endpoint and the caller's credential
     * @throws AtriumException {@code model_not_found} (404) when the caller's catalogue has no such model;
     *                         {@code provider_unavailable} (502) when the connection's address is refused now
     */
    public ResolvedModel resolve(EffectiveState state, String id) {
        ModelCatalogue.Found found = catalogue.find(state, id).orElseThrow(() -> AtriumException.notFound(
                "model_not_found", "No model '" + id + "' is available to you; GET /api/v1/models lists those"
                        + " that are."));
        CatalogueModel model = found.model();
        ConnectionDirectory.Usable usable = found.connection();
        connections.addressProblem(usable.baseUrl(), usable.urlSetByAdmin()).ifPresent(problem -> {
            throw new AtriumException(HttpStatus.BAD_GATEWAY, "provider_unavailable", "Connection '"
                    + usable.name() + "' is not called: " + problem + ".");
        });
        String caller = state.caller().userId().toString();
        UUID rowId = usable.rowId();
        Map<String, String> headers = usable.hasHeaders() && rowId != null
                ? opened.get("connection-headers", caller + ":" + rowId + ":" + usable.revision(), state.stamp(),
                        () -> connections.headers(rowId))
                : Map.of();
        ConnectionTimeouts t = usable.timeouts();
        ProviderEndpoint endpoint = new ProviderEndpoint(new ProviderConnection(usable.name(),
                ProviderConnection.Type.valueOf(usable.kind().name().toUpperCase(Locale.ROOT)), usable.baseUrl()),
                headers, new CallTimeouts(t.connect(), t.firstToken(), t.idle(), t.total()),
                connections.internalAddressesAllowed(usable.urlSetByAdmin()));
        UUID credentialId = usable.credentialId();
        String secret = credentialId == null ? null : opened.get("credential-secret", caller + ":" + credentialId,
                state.stamp(), () -> secrets.secret(credentialId)).orElse(null);
        return new ResolvedModel(model.id(), model.model(), usable.name(), endpoint, secret);
    }
}
