package org.atrium.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the machine and its processes are doing, read from Linux's {@code /proc}, for the benchmarks' figures. */
final class Machine {

    private Machine() {
    }

    /**
     * Other work on the machine skews every figure; the load average says how much there was.
     *
     * @return the 1, 5 and 15 minute load averages, or {@code unknown}
     */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException unavailable) {
            return "unknown";
        }
    }

    /** @return user plus system time of a process, in clock ticks (100 per second) */
    static long cpuTicks(long pid) throws IOException {
        return ticks(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** @return user plus system time in a {@code stat} line of {@code /proc} (a process's or a thread's) */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * A JVM's just-in-time compilers still at work make a point's tail (a compilation takes a core for tens of
     * milliseconds on a machine of two): this tells whether they were. HotSpot starts and ends compiler threads as
     * their queue grows and shrinks, and one that ended takes its time with it: a difference of two readings is a
     * lower bound (and may even be negative, which {@link #compilerCores} clamps).
     *
     * @return user plus system time of the compiler threads ({@code C1 CompilerThread*}, {@code C2 ...}) a JVM has
     *         now, in clock ticks; 0 for a process that is not a JVM
     */
    static long compilerTicks(long pid) throws IOException {
        long ticks = 0;
        try (var threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path thread : threads.toList()) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    ticks += ticks(stat);
                }
            }
        }
        return ticks;
    }

    /** @return the cores a JVM's compiler threads took between two {@link #compilerTicks} readings, at least 0 */
    static double compilerCores(long ticksBefore, long ticksAfter, double seconds) {
        return Math.max(0, ticksAfter - ticksBefore) / 100.0 / seconds;
    }

    /** @return a process's resident memory, in KiB, or 0 when {@code /proc} does not say */
    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }
}
