{{/*
Shared names, labels and the environment of each service. Templates range over
.Values.services and pass (dict "root" $ "name" <service> "svc" <values>) to these helpers.
*/}}

{{- define "minishop.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "minishop.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component | default "server" }}
{{- end -}}

{{- define "minishop.labels" -}}
{{ include "minishop.selectorLabels" . }}
app.kubernetes.io/part-of: minishop
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Image of a service: pinned by digest when image.digests names one for it, else by tag. */}}
{{- define "minishop.image" -}}
{{- $image := .root.Values.image -}}
{{- $digest := index ($image.digests | default dict) .name | default "" -}}
{{- if $digest -}}
{{- printf "%s/%s:%s@%s" $image.registry .name $image.tag $digest -}}
{{- else -}}
{{- printf "%s/%s:%s" $image.registry .name $image.tag -}}
{{- end -}}
{{- end -}}

{{/*
A digest names content that can never change, so a node that has it need not ask the registry
again. A tag can be moved, so every pod start asks which image it names now.
*/}}
{{- define "minishop.imagePullPolicy" -}}
{{- if index (.root.Values.image.digests | default dict) .name -}}
IfNotPresent
{{- else -}}
Always
{{- end -}}
{{- end -}}

{{/*
kube-score checks that do not apply to a service's workload, with the reason for each, as
annotations (dict "ignore" list "reasons" list) merged into its metadata. `kind` is Deployment
or Job.
*/}}
{{- define "minishop.kubeScoreAnnotations" -}}
{{- $ignore := list -}}
{{- $reasons := list -}}
{{- if index (.root.Values.image.digests | default dict) .name -}}
{{- $ignore = append $ignore "container-image-pull-policy" -}}
{{- $reasons = append $reasons "container-image-pull-policy: the image is pinned by digest, so pulling it again on every start could only fail, never bring other content" -}}
{{- end -}}
{{- if and (eq .kind "Deployment") .root.Values.pods.topologySpread.enabled -}}
{{- $ignore = append $ignore "deployment-has-host-podantiaffinity" -}}
{{- $reasons = append $reasons "deployment-has-host-podantiaffinity: replicas are spread over nodes and zones by topologySpreadConstraints, which this check does not read" -}}
{{- end -}}
{{- if $ignore }}
kube-score/ignore: {{ join "," $ignore | quote }}
minishop.example.com/kube-score-ignore-reason: {{ join "; " $reasons | quote }}
{{- end -}}
{{- end -}}

{{/*
Requests and limits of a container: the service's CPU and memory plus the pods' ephemeral
storage (the /tmp emptyDir and the container's logs count against it).
*/}}
{{- define "minishop.resources" -}}
{{- $storage := .root.Values.pods.ephemeralStorage -}}
{{- $resources := deepCopy .resources -}}
{{- $_ := set $resources.requests "ephemeral-storage" $storage.request -}}
{{- $_ := set $resources.limits "ephemeral-storage" $storage.limit -}}
{{- toYaml $resources -}}
{{- end -}}

{{/* Argo CD sync wave: the gateway starts taking traffic only after every other service. */}}
{{- define "minishop.syncWave" -}}
{{- if eq .name "gateway" }}"10"{{ else }}"0"{{ end -}}
{{- end -}}

{{/* Name of the Secret that holds DATABASE_URL, and its key. */}}
{{- define "minishop.databaseSecretRef" -}}
{{- $db := .root.Values.database -}}
{{- if $db.cloudNativePG.enabled -}}
name: {{ printf "%s%s-app" $db.cloudNativePG.clusterPrefix .name }}
key: uri
{{- else -}}
name: {{ .svc.existingSecret }}
key: DATABASE_URL
{{- end -}}
{{- end -}}

{{/* Plain (non-secret) environment of a service as a YAML map: it fills the ConfigMap. */}}
{{- define "minishop.plainEnv" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $config := $root.Values.config -}}
{{- $env := dict "MINISHOP_ENV" $config.environment "LOG_LEVEL" $config.logLevel "HOST" "0.0.0.0" "PORT" (toString $svc.port) "MANAGEMENT_PORT" (toString $root.Values.pods.managementPort) "JWT_ISSUER" $config.jwtIssuer "JWT_AUDIENCE" $config.jwtAudience -}}
{{- range $callee := $svc.calls -}}
{{- $target := index $root.Values.services $callee -}}
{{- if not $target -}}
{{- fail (printf "services.%s.calls names %q, which is not a service of this chart" $.name $callee) -}}
{{- end -}}
{{- $_ := set $env (printf "%s_URL" (upper $callee)) (printf "http://%s-%s:%v" $root.Release.Name $callee $target.port) -}}
{{- end -}}
{{- $sentinel := $root.Values.redis.sentinel -}}
{{- if and $svc.redis $sentinel.enabled -}}
{{- $_ := set $env "REDIS_SENTINELS" (printf "%s:%v" $sentinel.service $sentinel.port) -}}
{{- $_ := set $env "REDIS_SENTINEL_MASTER" $sentinel.masterSet -}}
{{- with $sentinel.username -}}
{{- $_ := set $env "REDIS_SENTINEL_USERNAME" . -}}
{{- end -}}
{{- end -}}
{{- with $root.Values.tracing.otlpEndpoint -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" . -}}
{{- $_ := set $env "OTEL_TRACES_SAMPLER_ARG" (toString $root.Values.tracing.sampleRatio) -}}
{{- end -}}
{{- range $key, $value := $svc.env -}}
{{- $_ := set $env $key (toString $value) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/*
Environment entries read from Secrets: DATABASE_URL, the Sentinels' password (from the Secret of
the Valkey users' passwords) and the service's secretEnv keys.
*/}}
{{- define "minishop.secretEnv" -}}
{{- if .svc.database -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- include "minishop.databaseSecretRef" . | nindent 6 }}
{{- end }}
{{- $sentinel := .root.Values.redis.sentinel }}
{{- if and .svc.redis $sentinel.enabled $sentinel.passwordSecret.name }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $sentinel.passwordSecret.name }}
      key: {{ $sentinel.passwordSecret.key }}
{{- end }}
{{- range $key := .svc.secretEnv }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $.svc.existingSecret }}
      key: {{ $key }}
{{- end }}
{{- end -}}

{{/*
The restricted Pod Security Standard, for pods and their containers. The user and group are the
image's (deploy/Dockerfile), above 10000 so that they belong to no user of the node.
*/}}
{{- define "minishop.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "minishop.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Egress rule to a service's own database (its CloudNativePG Cluster, or external CIDRs). */}}
{{- define "minishop.databaseEgress" -}}
{{- $db := .root.Values.database -}}
{{- if $db.cloudNativePG.enabled -}}
- to:
    - podSelector:
        matchLabels:
          cnpg.io/cluster: {{ printf "%s%s" $db.cloudNativePG.clusterPrefix .name }}
  ports:
    - port: {{ $db.port }}
      protocol: TCP
{{- else if $db.externalCIDRs -}}
- to:
    {{- range $cidr := $db.externalCIDRs }}
    - ipBlock:
        cidr: {{ $cidr }}
    {{- end }}
  ports:
    - port: {{ $db.port }}
      protocol: TCP
{{- else -}}
{{- fail "database.externalCIDRs must list where PostgreSQL is when database.cloudNativePG is disabled" -}}
{{- end -}}
{{- end -}}
