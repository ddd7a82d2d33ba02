package org.atrium;

import org.atrium.platform.AtriumCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Map;

/**
 * Entry point. Without arguments Atrium serves HTTP; {@code migrate} and {@code validate} run only the database
 * migration step and exit (for a Kubernetes Job or a pre-deployment check); {@code rotate-secrets} re-encrypts stored
 * secrets with the active key and exits.
 */
@SpringBootApplication(excludeName = "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration")
@ConfigurationPropertiesScan
public class AtriumApplication {

    /**
     * Starts Atrium.
     *
     * @param args empty to serve, or {@code migrate} / {@code validate} / {@code rotate-secrets} / {@code audit} followed by any Spring
     *             Boot arguments
     */
    public static void main(String[] args) {
        AtriumCommand command = AtriumCommand.fromArguments(args);
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
            exitCode = 1;
        }
        System.exit(exitCode);
    }
}
