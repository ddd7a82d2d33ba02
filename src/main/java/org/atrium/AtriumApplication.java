package org.atrium;

import org.atrium.platform.AtriumCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Map;
import java.util.Optional;

/**
 * Entry point. Without a command Atrium serves HTTP; {@code migrate} and {@code validate} run only the database
 * migration step and exit (for a Kubernetes Job or a pre-deployment check); {@code rotate-secrets} re-encrypts stored
 * secrets with the active key and exits; {@code audit} counts orphans and exits. An unknown command exits 2 with the
 * list of commands instead of starting a server.
 */
@SpringBootApplication(excludeName = "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration")
@ConfigurationPropertiesScan
public class AtriumApplication {

    /**
     * Starts Atrium.
     *
     * @param args no command to serve, or one of {@link AtriumCommand}'s words, plus any Spring Boot options
     *             ({@code --name=value}) before or after it
     */
    public static void main(String[] args) {
        Optional<AtriumCommand> chosen = AtriumCommand.fromArguments(args);
        if (chosen.isEmpty()) {
            System.err.println("Unknown command: " + String.join(" ", args) + "\n" + AtriumCommand.usage());
            System.exit(AtriumCommand.EXIT_COULD_NOT_RUN);
            return;
        }
        AtriumCommand command = chosen.get();
        SpringApplication application = new SpringApplication(AtriumApplication.class);
        if (command == AtriumCommand.SERVE) {
            application.run(args);
            return;
        }
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(Map.of(AtriumCommand.PROPERTY, command.name()));
        int exitCode;
        try {
            ConfigurableApplicationContext context = application.run(args);
            exitCode = SpringApplication.exit(context);
        } catch (RuntimeException failure) {
            // Spring Boot has already printed the failure analysis; the exit code is what a Job controller reads.
            exitCode = exitCodeOf(failure);
            if (exitCode == AtriumCommand.EXIT_COULD_NOT_RUN) {
                System.err.println("atrium " + command.word() + ": could not run (exit code "
                        + AtriumCommand.EXIT_COULD_NOT_RUN + "); the reason is printed above.");
            }
        }
        System.exit(exitCode);
    }

    /** A failure that knows its exit code (a database validate does not accept) says so; any other could not run. */
    private static int exitCodeOf(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AtriumCommand.Outcome outcome) {
                return outcome.exitCode();
            }
        }
        return AtriumCommand.EXIT_COULD_NOT_RUN;
    }
}
