package org.atrium.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The JDK's HTTP server on a free loopback port, as the fake providers use it. */
final class LoopbackHttpServer {

    static {
        // The JDK's server writes each event as its own small packet; with Nagle's algorithm on, a write that
        // follows an unacknowledged one waits for the peer's delayed ACK (40 ms on Linux), which a real provider
        // does not add. Read once, when the first server of the JVM is created.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private LoopbackHttpServer() {
    }

    /** @return an unstarted server with a backlog of 256 */
    static HttpServer create() throws IOException {
        return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    }
}
