package org.atrium.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Renders and lints {@code deploy/helm/atrium} with real Helm (helm-java embeds it) and parses what it renders into
 * fabric8's typed Kubernetes and OpenShift model.
 *
 * <p>helm-java's {@code template} returns only the release manifest, never the hooks (the migration Job is one), and
 * its {@code lint} takes no values file. So the chart is rendered from a copy that has one more template: it renders
 * every hook template of the chart, unchanged, through {@code tpl} into a ConfigMap's data, where Helm no longer
 * recognises it as a hook. And a profile is linted on a copy whose {@code values.yaml} is the profile merged over the
 * defaults the way Helm merges values files (maps merge, {@code null} removes a key, anything else replaces).
 */
final class HelmCharts {

    static final Path CHART = Path.of("deploy/helm/atrium").toAbsolutePath();
    static final Path OPENSHIFT_VALUES = CHART.resolve("values-openshift.yaml");

    private static final String HOOK_HOLDER_LABEL = "test.atrium.org/rendered-hook";
    private static final String HOOK_HOLDER = """
            {{- range $path, $_ := .Files.Glob "rendered-hooks/*.yaml" }}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: rendered-hook-{{ base $path | trimSuffix ".yaml" }}
              labels:
                %s: "true"
            data:
              manifest: |
            {{ tpl ($.Files.Get $path) $ | indent 4 }}
            {{- end }}
            """.formatted(HOOK_HOLDER_LABEL);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private HelmCharts() {
    }

    /** What one {@code helm template} rendered: the release's objects and, apart, its hooks. */
    record Rendering(List<HasMetadata> objects, List<HasMetadata> hooks) {

        /** @return the objects and the hooks together */
        List<HasMetadata> all() {
            return Stream.concat(objects.stream(), hooks.stream()).toList();
        }

        /** @return every object and hook of that type */
        <T extends HasMetadata> List<T> all(Class<T> type) {
            return all().stream().filter(type::isInstance).map(type::cast).toList();
        }

        /** @return the release object of that type (not a hook); fails unless there is exactly one */
        <T extends HasMetadata> T single(Class<T> type) {
            List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one " + type.getSimpleName() + ", rendered " + found.size());
            }
            return found.getFirst();
        }

        /** @return the hook of that type; fails unless there is exactly one */
        <T extends HasMetadata> T singleHook(Class<T> type) {
            List<T> found = hooks.stream().filter(type::isInstance).map(type::cast).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one hook " + type.getSimpleName() + ", rendered " + found.size());
            }
            return found.getFirst();
        }
    }

    /**
     * Copies the chart with the hook holder added.
     *
     * @param directory an empty directory
     * @return the copy's root
     */
    static Path copyForRendering(Path directory) throws IOException {
        Path copy = copy(directory);
        Files.createDirectories(copy.resolve("rendered-hooks"));
        try (Stream<Path> templates = Files.list(CHART.resolve("templates"))) {
            for (Path template : templates.toList()) {
                if (Files.readString(template).contains("helm.sh/hook:")) {
                    Files.copy(template, copy.resolve("rendered-hooks").resolve(template.getFileName()));
                }
            }
        }
        Files.writeString(copy.resolve("templates/zz-rendered-hooks.yaml"), HOOK_HOLDER);
        return copy;
    }

    /**
     * Renders a copy made by {@link #copyForRendering} as release {@code atrium} in namespace {@code apps}.
     *
     * @param chart       the copy
     * @param valuesFiles values files, in order
     * @param set         {@code --set} values
     * @return the parsed objects and hooks
     */
    static Rendering render(Path chart, List<Path> valuesFiles, Map<String, String> set) {
        TemplateCommand template = new Helm(chart).template().withName("atrium").withNamespace("apps");
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        for (Map.Entry<String, String> value : set.entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        List<HasMetadata> objects = new ArrayList<>();
        List<HasMetadata> hooks = new ArrayList<>();
        for (HasMetadata object : parse(template.call())) {
            Map<String, String> labels = object.getMetadata().getLabels();
            if (labels != null && labels.containsKey(HOOK_HOLDER_LABEL)) {
                hooks.addAll(parse(((ConfigMap) object).getData().get("manifest")));
            } else {
                objects.add(object);
            }
        }
        return new Rendering(List.copyOf(objects), List.copyOf(hooks));
    }

    /**
     * Lints the chart strictly with the defaults merged with a profile.
     *
     * @param directory an empty directory for the copy
     * @param profile   a values file of the chart, or {@code null} for the defaults alone
     * @return Helm's result
     */
    static LintResult lint(Path directory, @Nullable Path profile) throws IOException {
        if (profile == null) {
            return new Helm(CHART).lint().strict().call();
        }
        Path copy = copy(directory);
        Yaml yaml = new Yaml();
        Map<String, Object> values = yaml.load(Files.readString(CHART.resolve("values.yaml")));
        Map<String, Object> overrides = yaml.load(Files.readString(profile));
        Files.writeString(copy.resolve("values.yaml"), yaml.dump(merge(values, overrides)));
        return new Helm(copy).lint().strict().call();
    }

    /**
     * Lists every field of a parsed object that fabric8's model does not know (kept in an {@code additionalProperties}
     * map): a misspelt or misplaced field that the API server would drop or refuse.
     *
     * @param node a model object, or a list or map of them
     * @param path where the node is, for the message
     * @return one entry per unknown field
     */
    static List<String> unknownFields(Object node, String path) {
        List<String> found = new ArrayList<>();
        switch (node) {
            case null -> {
            }
            case Collection<?> items -> {
                int index = 0;
                for (Object item : items) {
                    found.addAll(unknownFields(item, path + "[" + index++ + "]"));
                }
            }
            case Map<?, ?> map -> map.forEach((key, value) -> found.addAll(unknownFields(value, path + "." + key)));
            default -> {
                if (!node.getClass().getPackageName().startsWith("io.fabric8")) {
                    return found;
                }
                for (Method getter : node.getClass().getMethods()) {
                    if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                            || getter.getDeclaringClass() == Object.class) {
                        continue;
                    }
                    Object value = invoke(getter, node);
                    if (getter.getName().equals("getAdditionalProperties")) {
                        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                            found.add(path + " has unknown fields " + extra.keySet());
                        }
                    } else {
                        found.addAll(unknownFields(value, path + "." + getter.getName().substring(3)));
                    }
                }
            }
        }
        return found;
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(getter.toString(), e);
        }
    }

    private static List<HasMetadata> parse(String manifests) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : manifests.split("(?m)^---\\s*$")) {
            boolean empty = document.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
            if (empty) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(document);
            if (!(parsed instanceof HasMetadata object) || parsed instanceof GenericKubernetesResource) {
                throw new AssertionError("not a typed Kubernetes object: " + parsed + "\n" + document);
            }
            objects.add(object);
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        overrides.forEach((key, value) -> {
            if (value == null) {
                merged.remove(key);
            } else if (value instanceof Map<?, ?> map && merged.get(key) instanceof Map<?, ?> existing) {
                merged.put(key, merge((Map<String, Object>) existing, (Map<String, Object>) map));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    private static Path copy(Path directory) throws IOException {
        Path copy = directory.resolve("atrium");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return copy;
    }
}
