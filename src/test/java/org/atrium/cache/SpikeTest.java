package org.atrium.cache;

import org.junit.jupiter.api.Test;
import java.util.List;

class SpikeTest extends ProtocolRaceTestBase {
    @Test
    void spike() {
        var admin = users.admin();
        System.out.println("SPIKE role=" + role(admin.token()) + " keys=" + REDIS.keys("*"));
        REDIS.down();
        for (int i = 0; i < 6; i++) {
            long t = System.nanoTime();
            try { shared.versions(List.of("i")); System.out.println("SPIKE ok"); }
            catch (SharedStoreUnavailableException e) { System.out.println("SPIKE fail " + e.getMessage()); }
            System.out.println("SPIKE took ms " + (System.nanoTime() - t) / 1_000_000);
        }
        long t = System.nanoTime();
        var r = api.get("/api/v1/me/effective-state", admin.token());
        System.out.println("SPIKE read " + r.status() + " ms " + (System.nanoTime() - t) / 1_000_000);
        REDIS.up();
        t = System.nanoTime();
        awaitSharedStoreHealthy();
        System.out.println("SPIKE reconnect ms " + (System.nanoTime() - t) / 1_000_000);
        try { REDIS.run(c -> c.publish("x", "y")); System.out.println("SPIKE publish allowed"); }
        catch (Exception e) { System.out.println("SPIKE publish refused " + e); }
    }
}
