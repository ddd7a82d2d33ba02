{{/* The chart's name, shortened to a DNS label. */}}
{{- define "atrium.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's object name: the release name, followed by the chart's name unless it already contains it. */}}
{{- define "atrium.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "atrium.selectorLabels" -}}
app.kubernetes.io/name: {{ include "atrium.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "atrium.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "atrium.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: atrium
{{- end }}

{{- define "atrium.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "atrium.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "atrium.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The public origin: publicUrl, else the exposed host with its scheme. */}}
{{- define "atrium.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl }}
{{- else if and (ne .Values.expose.type "none") .Values.expose.host }}
{{- printf "%s://%s" (ternary "https" "http" .Values.expose.tls) .Values.expose.host }}
{{- end }}
{{- end }}

{{- define "atrium.filesPath" -}}/var/lib/atrium-files{{- end }}
{{- define "atrium.redisCaPath" -}}/etc/atrium/redis-ca{{- end }}

{{/*
Non-secret configuration as environment variables, shared by the replicas' ConfigMap and the migration Job's: the
migrate command starts the same application and checks the same settings, so it must see the same ones.
*/}}
{{- define "atrium.configData" -}}
ATRIUM_DATA_DIR: /var/lib/atrium
DJL_CACHE_DIR: /tmp/djl
ATRIUM_MIGRATIONS_ON_STARTUP: {{ ternary "validate" "migrate" .Values.migrations.job.enabled | quote }}
SPRING_DATASOURCE_URL: {{ required "database.url is required" .Values.database.url | quote }}
{{- if gt (int .Values.database.maxPoolSize) 0 }}
SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE: {{ .Values.database.maxPoolSize | quote }}
{{- end }}
ATRIUM_KNOWLEDGE_VECTOR_INDEX: {{ .Values.database.vectorIndex | quote }}
{{- with .Values.redis }}
{{- if not .urlKey }}
SPRING_DATA_REDIS_HOST: {{ required "redis.host is required (or redis.urlKey)" .host | quote }}
SPRING_DATA_REDIS_PORT: {{ .port | quote }}
SPRING_DATA_REDIS_DATABASE: {{ .database | quote }}
{{- with .username }}
SPRING_DATA_REDIS_USERNAME: {{ . | quote }}
{{- end }}
{{- end }}
{{- if .tls.enabled }}
SPRING_DATA_REDIS_SSL_ENABLED: "true"
{{- if .tls.caSecret }}
SPRING_DATA_REDIS_SSL_BUNDLE: redis
SPRING_SSL_BUNDLE_PEM_REDIS_TRUSTSTORE_CERTIFICATE: {{ printf "file:%s/%s" (include "atrium.redisCaPath" $) .tls.caKey | quote }}
{{- end }}
{{- end }}
ATRIUM_CACHE_KEY_PREFIX: {{ .keyPrefix | quote }}
{{- end }}
ATRIUM_STORAGE_TYPE: {{ .Values.storage.type | quote }}
{{- if eq .Values.storage.type "s3" }}
{{- with .Values.storage.s3 }}
{{- with .endpoint }}
ATRIUM_STORAGE_S3_ENDPOINT: {{ . | quote }}
{{- end }}
ATRIUM_STORAGE_S3_REGION: {{ .region | quote }}
ATRIUM_STORAGE_S3_BUCKET: {{ required "storage.s3.bucket is required with storage.type s3" .bucket | quote }}
ATRIUM_STORAGE_S3_PATH_STYLE: {{ .pathStyle | quote }}
ATRIUM_STORAGE_S3_CREATE_BUCKET: {{ .createBucket | quote }}
{{- end }}
{{- else }}
ATRIUM_STORAGE_LOCAL_DIRECTORY: {{ include "atrium.filesPath" . }}
{{- end }}
{{- with .Values.secretsEncryption.activeKey }}
ATRIUM_SECRETS_ACTIVE_KEY: {{ . | quote }}
{{- end }}
{{- range $name, $connection := .Values.providers.connections }}
{{ printf "ATRIUM_PROVIDERS_CONNECTIONS_%s_TYPE" (upper $name) }}: {{ $connection.type | quote }}
{{ printf "ATRIUM_PROVIDERS_CONNECTIONS_%s_BASE_URL" (upper $name) }}: {{ $connection.baseUrl | quote }}
{{- end }}
{{- with include "atrium.publicUrl" . }}
ATRIUM_PUBLIC_URL: {{ . | quote }}
{{- end }}
ATRIUM_SESSION_COOKIE_SECURE: {{ .Values.secureCookies | quote }}
{{- with .Values.javaOptions }}
JDK_JAVA_OPTIONS: {{ . | quote }}
{{- end }}
{{- range $key, $value := .Values.config }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* One environment variable read from an existing Secret: (list NAME SECRET KEY). */}}
{{- define "atrium.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 | quote }}
      key: {{ index . 2 | quote }}
{{- end }}

{{/*
Credentials, each read from the existing Secret that values name: nothing secret is ever rendered into a manifest.
*/}}
{{- define "atrium.secretEnvs" -}}
{{- with .Values.database }}
{{ include "atrium.secretEnv" (list "SPRING_DATASOURCE_USERNAME" (required "database.existingSecret is required" .existingSecret) .usernameKey) }}
{{ include "atrium.secretEnv" (list "SPRING_DATASOURCE_PASSWORD" .existingSecret .passwordKey) }}
{{- end }}
{{- with .Values.redis }}
{{- if .urlKey }}
{{ include "atrium.secretEnv" (list "SPRING_DATA_REDIS_URL" (required "redis.existingSecret is required with redis.urlKey" .existingSecret) .urlKey) }}
{{- else if .existingSecret }}
{{ include "atrium.secretEnv" (list "SPRING_DATA_REDIS_PASSWORD" .existingSecret .passwordKey) }}
{{- end }}
{{- end }}
{{- with .Values.storage.s3 }}
{{- if and (eq $.Values.storage.type "s3") .existingSecret }}
{{ include "atrium.secretEnv" (list "ATRIUM_STORAGE_S3_ACCESS_KEY" .existingSecret .accessKeyKey) }}
{{ include "atrium.secretEnv" (list "ATRIUM_STORAGE_S3_SECRET_KEY" .existingSecret .secretKeyKey) }}
{{- end }}
{{- end }}
{{- $keys := .Values.secretsEncryption }}
{{- range $keys.keys }}
{{ include "atrium.secretEnv" (list (printf "ATRIUM_SECRETS_KEYS_%s" (upper .id)) (required "secretsEncryption.existingSecret is required" $keys.existingSecret) .secretKey) }}
{{- end }}
{{- with .Values.metrics }}
{{- if .existingSecret }}
{{ include "atrium.secretEnv" (list "ATRIUM_METRICS_TOKEN" .existingSecret .tokenKey) }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Writable paths under a read-only root file system: /tmp and the data directory, plus shared files and Redis's CA. */}}
{{- define "atrium.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/atrium
{{- if eq .root.Values.storage.type "local" }}
- name: files
  mountPath: {{ include "atrium.filesPath" .root }}
{{- end }}
{{- if and .root.Values.redis.tls.enabled .root.Values.redis.tls.caSecret }}
- name: redis-ca
  mountPath: {{ include "atrium.redisCaPath" .root }}
  readOnly: true
{{- end }}
{{- end }}

{{/* The volumes behind atrium.volumeMounts; the migration Job (scratch: true) gets an empty directory for files. */}}
{{- define "atrium.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.scratch.tmpSizeLimit }}
- name: data
  emptyDir:
    sizeLimit: {{ .root.Values.scratch.dataSizeLimit }}
{{- if eq .root.Values.storage.type "local" }}
- name: files
{{- if .scratch }}
  emptyDir: {}
{{- else }}
  persistentVolumeClaim:
    claimName: {{ default (printf "%s-files" (include "atrium.fullname" .root)) .root.Values.persistence.existingClaim }}
{{- end }}
{{- end }}
{{- if and .root.Values.redis.tls.enabled .root.Values.redis.tls.caSecret }}
- name: redis-ca
  secret:
    secretName: {{ .root.Values.redis.tls.caSecret }}
    items:
      - key: {{ .root.Values.redis.tls.caKey }}
        path: {{ .root.Values.redis.tls.caKey }}
{{- end }}
{{- end }}

{{- define "atrium.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end }}
