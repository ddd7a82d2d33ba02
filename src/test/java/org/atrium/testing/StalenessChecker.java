package org.atrium.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Checks a recorded history of reads and writes of registers (a user's role, one membership, a group setting, an API
 * key's state) against Atrium's "never stale" promise: once a write is acknowledged to its caller, no read that
 * begins afterwards returns an older value.
 *
 * <p>Every operation is recorded with its start and end ({@link System#nanoTime()}, or any clock that all recording
 * threads share) and what it wrote or read. For each read the checker derives which values it may return:
 * <ul>
 *     <li>a write is <em>superseded</em> for the read when an acknowledged write of the same register ended before
 *     the read began and itself began after that write ended (so it certainly came later);</li>
 *     <li>the read may return the value of any write (acknowledged or not) that began before the read ended and is
 *     not superseded, or the register's initial value when no acknowledged write ended before the read began.</li>
 * </ul>
 * Anything else, in particular the value of a write superseded by a write acknowledged before the read began, is a
 * violation. A write whose outcome is unknown (its process died, it was answered 503, the connection broke) is
 * recorded {@link Outcome#UNKNOWN}: a read may see it or not until a later acknowledged write supersedes it; it
 * never supersedes anything itself. A write that was certainly not applied (answered 4xx) should not be recorded.
 *
 * <p>Recording is thread-safe; {@link #check()} should run once recording has stopped. Writes of one register may
 * overlap in time (the rule above handles concurrent writers), but the check is sharpest when each register has one
 * writer at a time.
 */
public final class StalenessChecker {

    /** Whether the writer learned that its write took effect. */
    public enum Outcome {
        /** Answered with success: from its end on, every read must reflect it (or something newer). */
        ACKNOWLEDGED,
        /** Outcome not known to the writer (process died, 503, broken connection): may or may not have happened. */
        UNKNOWN
    }

    /**
     * A write.
     *
     * @param register what was written, for example {@code role:<user id>}
     * @param value    the value written
     * @param start    when the request was sent
     * @param end      when the answer arrived (or the failure was noticed)
     * @param outcome  whether it was acknowledged
     * @param detail   free text for reports (replica, HTTP status)
     */
    public record Write(String register, String value, long start, long end, Outcome outcome, String detail) {
    }

    /**
     * A read of one register.
     *
     * @param register what was read
     * @param value    the value observed
     * @param start    when the request was sent
     * @param end      when the answer arrived
     * @param detail   free text for reports (replica, credential)
     */
    public record Read(String register, String value, long start, long end, String detail) {
    }

    /**
     * A read that returned a value it may not return.
     *
     * @param read       the read
     * @param allowed    the values it could have returned
     * @param supersedes the newest acknowledged write that ended before the read began (null when the read
     *                   returned a value that was never written at all and no write was acknowledged)
     */
    public record Violation(Read read, Set<String> allowed, Write supersedes) {
    }

    /**
     * The outcome of a check.
     *
     * @param readsChecked how many reads were checked
     * @param writes       how many writes were recorded (initial values not counted)
     * @param unknown      how many of them had an unknown outcome
     * @param violations   the stale (or impossible) reads
     */
    public record Result(int readsChecked, int writes, int unknown, List<Violation> violations) {

        /** @return a one-line summary: {@code checked N reads, V violations} */
        public String summary() {
            return "checked " + readsChecked + " reads, " + violations.size() + " violations (" + writes
                    + " writes, " + unknown + " of unknown outcome)";
        }
    }

    private static final long INITIAL = Long.MIN_VALUE;

    private final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
    private volatile long origin = Long.MAX_VALUE;

    /**
     * Declares a register's value before the history starts (as if written and acknowledged long before).
     *
     * @param register the register
     * @param value    its value
     */
    public void initial(String register, String value) {
        writes.add(new Write(register, value, INITIAL, INITIAL, Outcome.ACKNOWLEDGED, "initial"));
    }

    /** Records a write. */
    public void write(String register, String value, long start, long end, Outcome outcome, String detail) {
        noteOrigin(start);
        writes.add(new Write(register, value, start, end, outcome, detail));
    }

    /** Records a read. */
    public void read(String register, String value, long start, long end, String detail) {
        noteOrigin(start);
        reads.add(new Read(register, value, start, end, detail));
    }

    /** @return the number of reads recorded so far */
    public int reads() {
        return reads.size();
    }

    /** @return every recorded write (in no particular order) */
    public List<Write> writes() {
        return List.copyOf(writes);
    }

    /** Checks every recorded read. */
    public Result check() {
        Map<String, List<Write>> byRegister = new HashMap<>();
        for (Write write : writes) {
            byRegister.computeIfAbsent(write.register(), r -> new ArrayList<>()).add(write);
        }
        byRegister.values().forEach(list -> list.sort(Comparator.comparingLong(Write::start)));
        List<Violation> violations = new ArrayList<>();
        int checked = 0;
        for (Read read : reads) {
            checked++;
            List<Write> history = byRegister.getOrDefault(read.register(), List.of());
            Write latest = null;
            long supersededBefore = INITIAL;
            for (Write write : history) {
                if (write.outcome() == Outcome.ACKNOWLEDGED && write.end() < read.start()
                        && (latest == null || write.start() >= supersededBefore)) {
                    supersededBefore = write.start();
                    latest = write;
                }
            }
            Set<String> allowed = new LinkedHashSet<>();
            for (Write write : history) {
                boolean begunInTime = write.start() < read.end();
                boolean superseded = write.end() < supersededBefore && write != latest;
                if (begunInTime && !superseded) {
                    allowed.add(write.value());
                }
            }
            if (!allowed.contains(read.value())) {
                violations.add(new Violation(read, allowed, latest));
            }
        }
        return new Result(checked, (int) writes.stream().filter(w -> w.start() != INITIAL).count(),
                (int) writes.stream().filter(w -> w.outcome() == Outcome.UNKNOWN).count(), violations);
    }

    /**
     * Describes a violation with the history around it: every write of the register and the reads of it near the
     * stale read, times in milliseconds since the first recorded operation.
     *
     * @param violation a violation found by {@link #check()}
     * @param context   how many reads of the register to show on each side
     * @return a multi-line report
     */
    public String describe(Violation violation, int context) {
        Read stale = violation.read();
        StringBuilder text = new StringBuilder();
        text.append("STALE READ of ").append(stale.register()).append(": returned '").append(stale.value())
                .append("' during ").append(span(stale.start(), stale.end())).append(" (").append(stale.detail())
                .append("); allowed ").append(violation.allowed()).append('\n');
        if (violation.supersedes() != null) {
            text.append("  acknowledged before the read began: ").append(describe(violation.supersedes()))
                    .append('\n');
        }
        text.append("  writes of ").append(stale.register()).append(":\n");
        writes.stream().filter(w -> w.register().equals(stale.register()))
                .sorted(Comparator.comparingLong(Write::start))
                .forEach(w -> text.append("    ").append(describe(w)).append('\n'));
        List<Read> around = reads.stream().filter(r -> r.register().equals(stale.register()))
                .sorted(Comparator.comparingLong(Read::start)).toList();
        int index = around.indexOf(stale);
        text.append("  reads of ").append(stale.register()).append(" around it:\n");
        for (int i = Math.max(0, index - context); i < Math.min(around.size(), index + context + 1); i++) {
            Read read = around.get(i);
            text.append(i == index ? "  >>" : "    ").append("read '").append(read.value()).append("' ")
                    .append(span(read.start(), read.end())).append(' ').append(read.detail()).append('\n');
        }
        return text.toString();
    }

    private String describe(Write write) {
        return write.start() == INITIAL ? "initial '" + write.value() + "'"
                : "write '" + write.value() + "' " + span(write.start(), write.end()) + ' ' + write.outcome() + ' '
                + write.detail();
    }

    private String span(long start, long end) {
        return "[" + millis(start) + " ms, " + millis(end) + " ms]";
    }

    private String millis(long nanos) {
        return String.format("%.3f", (nanos - origin) / 1e6);
    }

    private synchronized void noteOrigin(long start) {
        if (start < origin) {
            origin = start;
        }
    }
}
