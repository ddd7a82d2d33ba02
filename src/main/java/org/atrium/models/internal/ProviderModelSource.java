package org.atrium.models.internal;

import org.atrium.providers.CallTimeouts;
import org.atrium.providers.ChatProviders;
import org.atrium.providers.ProviderConnection;
import org.atrium.providers.ProviderEndpoint;
import org.atrium.providers.ProviderFailure;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Fetches model lists through the providers module's one contract ({@link ChatProviders#listModels}). */
@Component
public class ProviderModelSource implements ModelSource {

    private final ChatProviders providers;

    ProviderModelSource(ChatProviders providers) {
        this.providers = providers;
    }

    @Override
    public List<ModelListEntry.Model> list(Target target, @Nullable String secret) {
        ProviderConnection connection = new ProviderConnection(target.name(),
                ProviderConnection.Type.valueOf(target.kind().name().toUpperCase(Locale.ROOT)), target.baseUrl());
        // A listing is small: every phase gets the catalogue's short limit, the connect phase at most that.
        Duration connect = target.timeouts().connect().compareTo(target.limit()) < 0 ? target.timeouts().connect()
                : target.limit();
        CallTimeouts timeouts = new CallTimeouts(connect, target.limit(), target.limit(), target.limit());
        try {
            return providers.listModels(new ProviderEndpoint(connection, target.headers(), timeouts,
                    target.internalAddresses()), secret).stream()
                    .map(m -> new ModelListEntry.Model(m.id(), m.displayName())).toList();
        } catch (ProviderFailure failure) {
            throw new FetchFailure(failure.getMessage(), null);
        } catch (IllegalArgumentException refused) {
            throw new FetchFailure("Connection '" + target.name() + "' cannot be called: " + refused.getMessage(),
                    null);
        }
    }
}
