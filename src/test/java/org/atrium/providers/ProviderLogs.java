package org.atrium.providers;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.util.List;
import java.util.stream.Collectors;

/** Captures what the providers module logs, each event rendered as its message plus its key-values. */
final class ProviderLogs implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("org.atrium.providers");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    ProviderLogs() {
        appender.start();
        logger.addAppender(appender);
    }

    /** @return every captured event as {@code LEVEL message key=value ...}, with any exception's text */
    List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ProviderLogs::render).toList();
        }
    }

    /** @return the captured events with that message (the event name) */
    List<String> events(String event) {
        return lines().stream().filter(line -> line.contains(" " + event + " ")).toList();
    }

    private static String render(ILoggingEvent event) {
        List<KeyValuePair> pairs = event.getKeyValuePairs() == null ? List.of() : event.getKeyValuePairs();
        String fields = pairs.stream().map(p -> p.key + "=" + p.value).collect(Collectors.joining(" "));
        String thrown = event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getMessage();
        return event.getLevel() + " " + event.getFormattedMessage() + " " + fields + thrown;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
