package org.atrium.knowledge;

import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

import java.io.PrintStream;

/**
 * {@code java -jar atrium.jar audit}: prints orphan counts per store, one {@code name=count} line each, then a
 * summary, and exits 1 when any count is not zero. When the audit cannot run (the database is unreachable or not
 * migrated to this build), it says so and exits 2, like every command, so a script never reads that as orphans.
 */
@Component
class AuditCommand implements ApplicationRunner, ExitCodeGenerator {

    private final AtriumProperties properties;
    private final Reconciler reconciler;
    private volatile int exitCode;

    AuditCommand(AtriumProperties properties, Reconciler reconciler) {
        this.properties = properties;
        this.reconciler = reconciler;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        if (properties.command() != AtriumCommand.AUDIT) {
            return;
        }
        Reconciler.Report report = reconciler.audit();
        PrintStream out = System.out;
        report.counts().forEach((name, count) -> out.println(name + "=" + count));
        out.println(report.total() == 0 ? "audit: no orphans" : "audit: " + report.total() + " orphans");
        out.flush();
        exitCode = report.total() == 0 ? AtriumCommand.EXIT_OK : AtriumCommand.EXIT_FOUND;
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
