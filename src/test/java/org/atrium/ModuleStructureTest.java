package org.atrium;

import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ModuleStructureTest {

    /** Test classes may use the test support package; only production code is held to the module rules. */
    private static final ImportOption PRODUCTION_CODE_ONLY = location -> !location.contains("/test-classes/");

    private final ApplicationModules modules = ApplicationModules.of(AtriumApplication.class, PRODUCTION_CODE_ONLY);

    @Test
    void modulesOnlyUseEachOthersPublicSurface() {
        modules.verify();
    }

    @Test
    void dependenciesPointOneWayFromSettingsThroughAccountsAndCacheToPlatform() {
        assertThat(modules.stream().map(m -> m.getIdentifier().toString()))
                .contains("accounts", "platform", "cache", "settings");
        assertThat(modules.getModuleByName("cache").orElseThrow().getDirectDependencies(modules).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                .containsOnly("platform");
        var platform = modules.getModuleByName("platform").orElseThrow();
        assertThat(platform.getBootstrapDependencies(modules).toList()).isEmpty();
        assertThat(modules.getModuleByName("accounts").orElseThrow().getDirectDependencies(modules).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                .containsOnly("platform", "cache");
    }

    @Test
    void modelsSitsAboveSettingsAndProvidersAndNothingBelowUsesIt() {
        assertThat(modules.getModuleByName("models").orElseThrow().getDirectDependencies(modules).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                .isSubsetOf("platform", "cache", "accounts", "settings", "providers");
        modules.stream().filter(m -> !Set.of("models", "chat", "compat", "web").contains(m.getIdentifier().toString()))
                .forEach(module ->
                assertThat(module.getDirectDependencies(modules).stream()
                        .map(d -> d.getTargetModule().getIdentifier().toString()))
                        .as("dependencies of %s", module.getIdentifier()).doesNotContain("models"));
    }

    @Test
    void chatIsTheTopFloorBelowTheCompatibilityAdapters() {
        var chat = modules.getModuleByName("chat").orElseThrow();
        assertThat(chat.getDirectDependencies(modules).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                .contains("knowledge")
                .isSubsetOf("platform", "accounts", "settings", "cache", "knowledge", "providers", "models");
        modules.stream().filter(module -> !Set.of("chat", "compat", "web").contains(module.getIdentifier().toString()))
                .forEach(module -> assertThat(module.getDirectDependencies(modules).stream()
                        .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                        .as("dependencies of %s", module.getIdentifier()).doesNotContain("chat"));
    }

    @Test
    void nothingDependsOnTheCompatibilityAdapters() {
        assertThat(modules.getModuleByName("compat")).isPresent();
        modules.stream().filter(module -> !module.getIdentifier().toString().equals("compat"))
                .forEach(module -> assertThat(module.getDirectDependencies(modules).stream()
                        .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                        .as("dependencies of %s", module.getIdentifier()).doesNotContain("compat"));
    }

    @Test
    void nothingDependsOnTheWebInterfaceAndItUsesNoProviderOrStoreDirectly() {
        var web = modules.getModuleByName("web").orElseThrow();
        assertThat(web.getDirectDependencies(modules).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                .isSubsetOf("platform", "accounts", "settings", "models", "chat", "knowledge");
        modules.stream().filter(module -> !module.getIdentifier().toString().equals("web"))
                .forEach(module -> assertThat(module.getDirectDependencies(modules).stream()
                        .map(d -> d.getTargetModule().getIdentifier().toString()).distinct().toList())
                        .as("dependencies of %s", module.getIdentifier()).doesNotContain("web"));
    }
}
