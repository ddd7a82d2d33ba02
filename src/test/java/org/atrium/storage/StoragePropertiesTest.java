package org.atrium.storage;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Binding {@code atrium.storage.*} the way Spring Boot does at startup, without starting Atrium. */
class StoragePropertiesTest {

    private static StorageProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("atrium.storage", StorageProperties.class);
    }

    @Test
    void defaultsAreALocalDirectoryUnderTheDataDirectory() {
        StorageProperties properties = bind(Map.of());

        assertThat(properties.type()).isEqualTo(StorageProperties.Type.LOCAL);
        assertThat(properties.local().directoryOrDefault(Path.of("/srv/atrium"))).isEqualTo(Path.of("/srv/atrium/files"));
        assertThat(properties.s3().region()).isEqualTo("us-east-1");
        assertThat(properties.s3().endpoint()).isNull();
        assertThat(properties.s3().pathStyle()).isFalse();
        assertThat(properties.s3().createBucket()).isFalse();
    }

    @Test
    void aConfiguredLocalDirectoryWins() {
        StorageProperties properties = bind(Map.of("atrium.storage.local.directory", "/mnt/files"));

        assertThat(properties.local().directoryOrDefault(Path.of("/srv/atrium"))).isEqualTo(Path.of("/mnt/files"));
    }

    @Test
    void s3SettingsBindFromTheirDocumentedNames() {
        StorageProperties properties = bind(Map.of(
                "atrium.storage.type", "s3",
                "atrium.storage.s3.endpoint", "http://minio:9000",
                "atrium.storage.s3.region", "eu-west-1",
                "atrium.storage.s3.bucket", "atrium",
                "atrium.storage.s3.access-key", "AKIA",
                "atrium.storage.s3.secret-key", "hush",
                "atrium.storage.s3.path-style", "true",
                "atrium.storage.s3.create-bucket", "true"));

        assertThat(properties.type()).isEqualTo(StorageProperties.Type.S3);
        assertThat(properties.s3()).isEqualTo(new StorageProperties.S3(URI.create("http://minio:9000"),
                "eu-west-1", "atrium", "AKIA", "hush", true, true));
    }

    @Test
    void s3WithoutABucketFailsNamingTheVariableToSet() {
        assertThatThrownBy(() -> bind(Map.of("atrium.storage.type", "s3")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("ATRIUM_STORAGE_S3_BUCKET");
        assertThatThrownBy(() -> bind(Map.of("atrium.storage.type", "s3", "atrium.storage.s3.bucket", " ")))
                .rootCause()
                .hasMessageContaining("ATRIUM_STORAGE_S3_BUCKET");
    }

    @Test
    void blankValuesMeanUnset() {
        StorageProperties properties = bind(Map.of(
                "atrium.storage.s3.endpoint", "",
                "atrium.storage.s3.access-key", "",
                "atrium.storage.s3.secret-key", " "));

        assertThat(properties.s3().endpoint()).isNull();
        assertThat(properties.s3().accessKey()).isNull();
        assertThat(properties.s3().secretKey()).isNull();
    }

    @Test
    void anAccessKeyWithoutASecretKeyFailsNamingBothVariables() {
        assertThatThrownBy(() -> bind(Map.of("atrium.storage.s3.access-key", "AKIA")))
                .rootCause()
                .hasMessageContaining("ATRIUM_STORAGE_S3_ACCESS_KEY")
                .hasMessageContaining("ATRIUM_STORAGE_S3_SECRET_KEY");
    }

    @Test
    void anEndpointThatIsNotAnHttpUrlFailsNamingTheVariable() {
        assertThatThrownBy(() -> bind(Map.of("atrium.storage.s3.endpoint", "minio:9000")))
                .rootCause()
                .hasMessageContaining("ATRIUM_STORAGE_S3_ENDPOINT");
    }

    @Test
    void theSecretKeyNeverAppearsInToString() {
        StorageProperties properties = bind(Map.of(
                "atrium.storage.s3.access-key", "AKIA",
                "atrium.storage.s3.secret-key", "hush"));

        assertThat(properties.toString()).contains("AKIA").doesNotContain("hush");
    }
}
