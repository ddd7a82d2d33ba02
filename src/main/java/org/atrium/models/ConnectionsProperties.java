package org.atrium.models;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Registered connections and the model catalogue ({@code atrium.connections.*}).
 *
 * @param allowPrivateAddresses          let instance admins register base URLs whose host is (or resolves to) a
 *                                       loopback, private, unique-local, link-local, multicast, unspecified or cloud
 *                                       metadata address ({@code false}): an operator's own gateway on the cluster
 *                                       network must be allowed explicitly
 * @param allowPrivateAddressesForGroups the same for group admins' connections ({@code false}); effective only
 *                                       together with {@code allow-private-addresses}
 * @param refreshPeriod                  how old a connection's model list may get before the next read fetches
 *                                       it again ({@code 10m})
 * @param fetchTimeout                   how long one model-list fetch may take ({@code 5s}); a slower connection is
 *                                       shown as failing with its last good list
 * @param failureRetry                   how soon a connection whose last fetch failed is tried again
 *                                       ({@code 30s})
 */
@ConfigurationProperties("atrium.connections")
public record ConnectionsProperties(
        @DefaultValue("false") boolean allowPrivateAddresses,
        @DefaultValue("false") boolean allowPrivateAddressesForGroups,
        @DefaultValue("10m") Duration refreshPeriod,
        @DefaultValue("5s") Duration fetchTimeout,
        @DefaultValue("30s") Duration failureRetry) {

    /** Refuses periods that would make the catalogue fetch on every read or hang. */
    public ConnectionsProperties {
        positive(refreshPeriod, "ATRIUM_CONNECTIONS_REFRESH_PERIOD");
        positive(fetchTimeout, "ATRIUM_CONNECTIONS_FETCH_TIMEOUT");
        positive(failureRetry, "ATRIUM_CONNECTIONS_FAILURE_RETRY");
    }

    private static void positive(Duration value, String variable) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(variable + " must be a positive duration, for example 30s");
        }
    }
}
