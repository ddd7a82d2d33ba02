package org.atrium.deploy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.Route;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.atrium.deploy.HelmCharts.OPENSHIFT_VALUES;

/**
 * The Helm chart {@code deploy/helm/atrium}, rendered by real Helm for the default values and for the OpenShift
 * profile, every object parsed with fabric8's typed model: the restricted Pod Security Standard on every container,
 * probes and resources, credentials only by reference to existing Secrets, the migration hook, availability objects,
 * the schema, and {@code helm lint --strict}. No Spring context: a few seconds.
 */
class HelmChartTest {

    /** Secret names and keys no default uses, so that finding them proves the wiring follows the values. */
    private static final String TEST_VALUES = """
            database:
              existingSecret: test-db
              usernameKey: db-user
              passwordKey: db-password
            redis:
              existingSecret: test-redis
              passwordKey: redis-password
              tls:
                enabled: true
                caSecret: test-redis-ca
                caKey: ca.pem
            storage:
              s3:
                endpoint: https://objects.example.org
                pathStyle: true
                existingSecret: test-s3
                accessKeyKey: s3-access
                secretKeyKey: s3-secret
            secretsEncryption:
              existingSecret: test-keys
              keys:
                - id: k1
                  secretKey: key-one
                - id: k2
                  secretKey: key-two
              activeKey: k2
            metrics:
              existingSecret: test-metrics
              tokenKey: metrics-token
            providers:
              connections:
                gateway:
                  type: openai
                  baseUrl: https://gateway.example.org/v1
            """;
    private static final Map<String, List<String>> CREDENTIALS = Map.of(
            "SPRING_DATASOURCE_USERNAME", List.of("test-db", "db-user"),
            "SPRING_DATASOURCE_PASSWORD", List.of("test-db", "db-password"),
            "SPRING_DATA_REDIS_PASSWORD", List.of("test-redis", "redis-password"),
            "ATRIUM_STORAGE_S3_ACCESS_KEY", List.of("test-s3", "s3-access"),
            "ATRIUM_STORAGE_S3_SECRET_KEY", List.of("test-s3", "s3-secret"),
            "ATRIUM_SECRETS_KEYS_K1", List.of("test-keys", "key-one"),
            "ATRIUM_SECRETS_KEYS_K2", List.of("test-keys", "key-two"),
            "ATRIUM_METRICS_TOKEN", List.of("test-metrics", "metrics-token"));
    /** Names of settings that hold a credential: they may only ever come from a Secret. */
    private static final Pattern CREDENTIAL_NAME =
            Pattern.compile(".*(PASSWORD|SECRET_KEY|ACCESS_KEY|TOKEN|REDIS_URL)|.*SECRETS_KEYS_.*");

    @TempDir
    static Path work;
    private static Path chart;
    private static Path testValues;
    private static HelmCharts.Rendering defaults;
    private static HelmCharts.Rendering openshift;

    @BeforeAll
    static void render() throws IOException {
        chart = HelmCharts.copyForRendering(Files.createDirectory(work.resolve("chart")));
        testValues = Files.writeString(work.resolve("test-values.yaml"), TEST_VALUES);
        defaults = HelmCharts.render(chart, List.of(testValues), Map.of());
        openshift = HelmCharts.render(chart, List.of(OPENSHIFT_VALUES, testValues), Map.of());
    }

    @Test
    void everyRenderedObjectIsATypedKubernetesObjectWithOnlyFieldsTheModelKnows() {
        for (HelmCharts.Rendering rendering : List.of(defaults, openshift)) {
            assertThat(rendering.objects()).hasSizeGreaterThanOrEqualTo(7);
            List<String> unknown = new ArrayList<>();
            rendering.all().forEach(o -> unknown.addAll(HelmCharts.unknownFields(o, describe(o))));
            assertThat(unknown).isEmpty();
        }
    }

    @Test
    void everyContainerOfEveryPodPassesTheRestrictedPodSecurityStandard() {
        for (HelmCharts.Rendering rendering : List.of(defaults, openshift)) {
            List<PodSpec> pods = pods(rendering);
            assertThat(pods).as("the Deployment and the migration Job").hasSize(2);
            for (PodSpec pod : pods) {
                PodSecurityContext podContext = Optional.ofNullable(pod.getSecurityContext())
                        .orElseGet(PodSecurityContext::new);
                assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
                assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
                assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
                assertThat(pod.getVolumes()).allSatisfy(volume -> assertThat(volume.getHostPath()).isNull());
                assertNotRoot(podContext.getRunAsUser(), "pod runAsUser");
                for (Container container : containers(pod)) {
                    SecurityContext context = container.getSecurityContext();
                    assertThat(context).as(container.getName() + " securityContext").isNotNull();
                    assertThat(Optional.ofNullable(context.getRunAsNonRoot()).orElse(podContext.getRunAsNonRoot()))
                            .as(container.getName() + " runAsNonRoot").isTrue();
                    assertNotRoot(context.getRunAsUser(), container.getName() + " runAsUser");
                    assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);
                    assertThat(context.getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
                    assertThat(context.getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
                    assertThat(context.getCapabilities()).as(container.getName() + " capabilities").isNotNull();
                    assertThat(context.getCapabilities().getDrop()).as(container.getName()).contains("ALL");
                    assertThat(context.getCapabilities().getAdd()).as(container.getName()).isNullOrEmpty();
                    String seccomp = context.getSeccompProfile() != null ? context.getSeccompProfile().getType()
                            : podContext.getSeccompProfile() == null ? null : podContext.getSeccompProfile().getType();
                    assertThat(seccomp).as(container.getName() + " seccomp").isEqualTo("RuntimeDefault");
                    assertThat(container.getVolumeMounts()).as(container.getName() + " writable /tmp")
                            .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
                    String tmp = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                            .findFirst().orElseThrow().getName();
                    assertThat(volume(pod, tmp).getEmptyDir()).as("/tmp is an emptyDir").isNotNull();
                }
            }
        }
    }

    @Test
    void onOpenShiftNoPodFixesAUserOrGroupSoThatTheSccAssignsThem() {
        for (PodSpec pod : pods(openshift)) {
            PodSecurityContext context = pod.getSecurityContext();
            assertThat(context.getRunAsUser()).isNull();
            assertThat(context.getRunAsGroup()).isNull();
            assertThat(context.getFsGroup()).isNull();
            assertThat(containers(pod)).allSatisfy(c -> {
                assertThat(c.getSecurityContext().getRunAsUser()).isNull();
                assertThat(c.getSecurityContext().getRunAsGroup()).isNull();
            });
        }
        assertThat(pods(defaults).getFirst().getSecurityContext().getRunAsUser()).isNotNull().isPositive();
    }

    @Test
    void everyLongRunningContainerHasProbesOnTheActuatorGroupsAndEveryContainerHasResources() {
        for (HelmCharts.Rendering rendering : List.of(defaults, openshift)) {
            PodSpec replica = rendering.single(Deployment.class).getSpec().getTemplate().getSpec();
            for (Container container : replica.getContainers()) {
                List<String> ports = container.getPorts().stream().map(p -> p.getName()).toList();
                assertProbe(container.getStartupProbe(), "/actuator/health/liveness", ports);
                assertProbe(container.getLivenessProbe(), "/actuator/health/liveness", ports);
                assertProbe(container.getReadinessProbe(), "/actuator/health/readiness", ports);
            }
            for (PodSpec pod : pods(rendering)) {
                assertThat(containers(pod)).allSatisfy(container -> {
                    assertThat(container.getResources().getRequests()).as(container.getName())
                            .containsKeys("cpu", "memory");
                    assertThat(container.getResources().getLimits()).as(container.getName()).containsKey("memory");
                });
            }
        }
    }

    @Test
    void credentialsComeOnlyFromTheNamedSecretsAndNoSecretIsRendered() {
        for (HelmCharts.Rendering rendering : List.of(defaults, openshift)) {
            assertThat(rendering.all(Secret.class)).as("the chart never writes a Secret").isEmpty();
            for (ConfigMap config : rendering.all(ConfigMap.class)) {
                assertThat(config.getData().keySet()).as(config.getMetadata().getName())
                        .noneMatch(key -> CREDENTIAL_NAME.matcher(key).matches());
            }
            for (PodSpec pod : pods(rendering)) {
                for (Container container : containers(pod)) {
                    Map<String, List<String>> fromSecrets = new TreeMap<>();
                    for (EnvVar env : container.getEnv()) {
                        if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                            SecretKeySelector ref = env.getValueFrom().getSecretKeyRef();
                            fromSecrets.put(env.getName(), List.of(ref.getName(), ref.getKey()));
                        } else {
                            assertThat(env.getName()).as("a literal value").doesNotMatch(CREDENTIAL_NAME);
                        }
                    }
                    if (pod.getContainers().contains(container)) {
                        assertThat(fromSecrets).as(container.getName()).isEqualTo(new TreeMap<>(CREDENTIALS));
                    } else {
                        assertThat(CREDENTIALS).as(container.getName()).containsAllEntriesOf(fromSecrets);
                    }
                    assertThat(container.getEnvFrom()).as("only the chart's ConfigMaps")
                            .allSatisfy(source -> assertThat(source.getSecretRef()).isNull())
                            .allSatisfy(source -> assertThat(rendering.all(ConfigMap.class))
                                    .anySatisfy(c -> assertThat(c.getMetadata().getName())
                                            .isEqualTo(source.getConfigMapRef().getName())));
                }
            }
        }
    }

    @Test
    void valuesCanOnlyNameSecretsNeverHoldThem() {
        assertThatThrownBy(() -> renderDefaults(Map.of("database.password", "hunter2")))
                .hasMessageContaining("database").hasMessageContaining("password");
        assertThatThrownBy(() -> renderDefaults(
                Map.of("database.url", "jdbc:postgresql://db:5432/atrium?user=atrium&password=hunter2")))
                .hasMessageContaining("database.url");
        assertThatThrownBy(() -> renderDefaults(Map.of("config.SPRING_DATASOURCE_PASSWORD", "hunter2")))
                .hasMessageContaining("config");
        assertThatThrownBy(() -> renderDefaults(Map.of("extraEnv[0].name", "MY_API_TOKEN", "extraEnv[0].value", "x")))
                .hasMessageContaining("extraEnv");
        assertThat(renderDefaults(Map.of("config.ATRIUM_SIGNUP_DEFAULT_ROLE", "user")).single(ConfigMap.class)
                .getData()).containsEntry("ATRIUM_SIGNUP_DEFAULT_ROLE", "user");
    }

    @Test
    void redisFromAManagedServiceUrlIsReadFromItsSecretAndItsCaIsMounted() {
        HelmCharts.Rendering managed = renderDefaults(Map.of("redis.urlKey", "url"));
        Container replica = managed.single(Deployment.class).getSpec().getTemplate().getSpec().getContainers()
                .getFirst();
        assertThat(replica.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("SPRING_DATA_REDIS_URL");
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("test-redis");
            assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("url");
        });
        assertThat(managed.single(ConfigMap.class).getData()).doesNotContainKey("SPRING_DATA_REDIS_HOST");

        PodSpec pod = defaults.single(Deployment.class).getSpec().getTemplate().getSpec();
        Map<String, String> config = defaults.single(ConfigMap.class).getData();
        assertThat(config).containsEntry("SPRING_DATA_REDIS_SSL_ENABLED", "true")
                .containsEntry("SPRING_DATA_REDIS_SSL_BUNDLE", "redis")
                .containsEntry("ATRIUM_PROVIDERS_CONNECTIONS_GATEWAY_TYPE", "openai")
                .containsEntry("ATRIUM_PROVIDERS_CONNECTIONS_GATEWAY_BASE_URL", "https://gateway.example.org/v1")
                .containsEntry("ATRIUM_STORAGE_S3_ENDPOINT", "https://objects.example.org");
        String ca = config.get("SPRING_SSL_BUNDLE_PEM_REDIS_TRUSTSTORE_CERTIFICATE").replaceFirst("^file:", "");
        var mount = pod.getContainers().getFirst().getVolumeMounts().stream()
                .filter(m -> ca.startsWith(m.getMountPath() + "/")).findFirst().orElseThrow();
        Volume volume = volume(pod, mount.getName());
        assertThat(volume.getSecret().getSecretName()).isEqualTo("test-redis-ca");
        assertThat(ca).endsWith("/" + volume.getSecret().getItems().getFirst().getPath());
        assertThat(volume.getSecret().getItems().getFirst().getKey()).isEqualTo("ca.pem");
    }

    @Test
    void migrationsRunOnceAsAPreInstallAndPreUpgradeHookAndReplicasOnlyValidate() {
        Job job = defaults.singleHook(Job.class);
        Map<String, String> annotations = job.getMetadata().getAnnotations();
        assertThat(annotations.get("helm.sh/hook").split(",")).containsExactlyInAnyOrder("pre-install", "pre-upgrade");
        assertThat(annotations.get("helm.sh/hook-delete-policy").split(","))
                .contains("before-hook-creation", "hook-succeeded");
        int jobWeight = Integer.parseInt(annotations.get("helm.sh/hook-weight"));
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
                .containsExactly("migrate");
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");

        String jobConfig = job.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnvFrom().getFirst()
                .getConfigMapRef().getName();
        ConfigMap hookConfig = defaults.singleHook(ConfigMap.class);
        assertThat(hookConfig.getMetadata().getName()).as("the Job's configuration exists before it")
                .isEqualTo(jobConfig);
        assertThat(hookConfig.getMetadata().getAnnotations().get("helm.sh/hook")).isEqualTo("pre-install,pre-upgrade");
        assertThat(Integer.parseInt(hookConfig.getMetadata().getAnnotations().get("helm.sh/hook-weight")))
                .isLessThan(jobWeight);
        Map<String, String> replicaConfig = defaults.single(ConfigMap.class).getData();
        assertThat(hookConfig.getData()).as("migrate sees what the replicas see")
                .isEqualTo(replicaConfig);
        assertThat(replicaConfig).containsEntry("ATRIUM_MIGRATIONS_ON_STARTUP", "validate");

        HelmCharts.Rendering withoutJob = renderDefaults(Map.of("migrations.job.enabled", "false"));
        assertThat(withoutJob.hooks()).isEmpty();
        assertThat(withoutJob.single(ConfigMap.class).getData())
                .containsEntry("ATRIUM_MIGRATIONS_ON_STARTUP", "migrate");
    }

    @Test
    void replicasAreAutoscaledKeptAvailableAndSpreadOverNodesAndZones() {
        for (HelmCharts.Rendering rendering : List.of(defaults, openshift)) {
            Deployment deployment = rendering.single(Deployment.class);
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(deployment.getSpec().getReplicas()).as("the autoscaler owns the count").isNull();

            HorizontalPodAutoscaler hpa = rendering.single(HorizontalPodAutoscaler.class);
            assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
            assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
            assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);

            PodDisruptionBudget pdb = rendering.single(PodDisruptionBudget.class);
            assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

            List<TopologySpreadConstraint> spread = deployment.getSpec().getTemplate().getSpec()
                    .getTopologySpreadConstraints();
            assertThat(spread).extracting(TopologySpreadConstraint::getTopologyKey)
                    .containsExactlyInAnyOrder("kubernetes.io/hostname", "topology.kubernetes.io/zone");
            assertThat(spread).allSatisfy(c ->
                    assertThat(podLabels).containsAllEntriesOf(c.getLabelSelector().getMatchLabels()));
            assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                    .isGreaterThan(30L);
        }
    }

    @Test
    void kubernetesGetsAnIngressAndOpenShiftARouteToAServiceWithoutStickySessions() {
        assertThat(defaults.all(Route.class)).isEmpty();
        Ingress ingress = defaults.single(Ingress.class);
        assertThat(ingress.getSpec().getRules().getFirst().getHost()).isEqualTo("atrium.example.org");
        assertThat(ingress.getSpec().getRules().getFirst().getHttp().getPaths().getFirst().getBackend().getService()
                .getName()).isEqualTo("atrium");

        assertThat(openshift.all(Ingress.class)).isEmpty();
        Route route = openshift.single(Route.class);
        assertThat(route.getSpec().getTo().getName()).isEqualTo("atrium");
        assertThat(route.getSpec().getPort().getTargetPort().getStrVal()).isEqualTo("http");
        assertThat(route.getSpec().getTls().getTermination()).isEqualTo("edge");

        for (HelmCharts.Rendering rendering : List.of(defaults, openshift)) {
            Service service = rendering.single(Service.class);
            assertThat(service.getSpec().getSessionAffinity()).as("no sticky sessions").isEqualTo("None");
            assertThat(rendering.single(Deployment.class).getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(service.getSpec().getSelector());
        }
    }

    @Test
    void aSharedVolumeExistsOnlyWithLocalStorage() {
        assertThat(defaults.all(PersistentVolumeClaim.class)).isEmpty();

        HelmCharts.Rendering local = renderDefaults(Map.of("storage.type", "local"));
        PersistentVolumeClaim claim = local.single(PersistentVolumeClaim.class);
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        PodSpec pod = local.single(Deployment.class).getSpec().getTemplate().getSpec();
        String directory = local.single(ConfigMap.class).getData().get("ATRIUM_STORAGE_LOCAL_DIRECTORY");
        var mount = pod.getContainers().getFirst().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(directory)).findFirst().orElseThrow();
        assertThat(volume(pod, mount.getName()).getPersistentVolumeClaim().getClaimName())
                .isEqualTo(claim.getMetadata().getName());
    }

    @Test
    void theSchemaRefusesAnUnknownStorageKindNamingTheValue() {
        assertThatThrownBy(() -> renderDefaults(Map.of("storage.type", "nfs")))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("storage.type")
                .hasMessageContaining("\"s3\", \"local\"");
        assertThatThrownBy(() -> renderDefaults(Map.of("securityContext.readOnlyRootFilesystem", "false")))
                .hasMessageContaining("securityContext.readOnlyRootFilesystem");
    }

    @Test
    void helmLintIsCleanForBothProfiles() throws IOException {
        for (Path profile : new Path[]{null, OPENSHIFT_VALUES}) {
            LintResult lint = HelmCharts.lint(Files.createTempDirectory(work, "lint"), profile);
            assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
            assertThat(lint.getMessages()).as(profile + ": no error or warning")
                    .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        }
    }

    private static HelmCharts.Rendering renderDefaults(Map<String, String> set) {
        return HelmCharts.render(chart, List.of(testValues), set);
    }

    /** Unset (the image's user, which runAsNonRoot then checks, or the SCC's) or any user but root. */
    private static void assertNotRoot(Long user, String what) {
        assertThat(user == null || user > 0).as(what + " = " + user).isTrue();
    }

    private static void assertProbe(Probe probe, String path, List<String> ports) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(ports).contains(probe.getHttpGet().getPort().getStrVal());
    }

    private static List<PodSpec> pods(HelmCharts.Rendering rendering) {
        return Stream.concat(
                rendering.all(Deployment.class).stream().map(d -> d.getSpec().getTemplate().getSpec()),
                rendering.all(Job.class).stream().map(j -> j.getSpec().getTemplate().getSpec())).toList();
    }

    private static List<Container> containers(PodSpec pod) {
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static String describe(HasMetadata object) {
        return object.getKind() + "/" + object.getMetadata().getName();
    }
}
