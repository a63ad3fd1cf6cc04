{{/* Names: everything is prefixed with the release name (truncated to fit DNS labels). */}}
{{- define "stella.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "stella.labels" -}}
app.kubernetes.io/part-of: stella-ops
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "stella.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{- define "stella.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "stella.operatorImage" -}}
{{- .Values.operator.image | default (printf "%s/stella-operator:%s" .Values.image.registry (include "stella.tag" .)) -}}
{{- end -}}

{{- define "stella.workerImage" -}}
{{- .Values.worker.image | default (printf "%s/stella-worker:%s" .Values.image.registry (include "stella.tag" .)) -}}
{{- end -}}

{{- define "stella.workerServiceAccount" -}}
{{- .Values.worker.serviceAccount.name | default (printf "%s-worker" (include "stella.fullname" .)) -}}
{{- end -}}

{{- define "stella.storageSecret" -}}
{{- .Values.storage.existingSecret | default (printf "%s-storage" (include "stella.fullname" .)) -}}
{{- end -}}

{{/* Storage addresses, fully qualified: worker Jobs and the operator resolve them the same way. */}}
{{- define "stella.s3Endpoint" -}}
{{- if .Values.minio.enabled -}}
{{- printf "http://%s-minio.%s.svc.cluster.local:9000" (include "stella.fullname" .) .Release.Namespace -}}
{{- else -}}
{{- .Values.storage.s3.endpoint -}}
{{- end -}}
{{- end -}}

{{/* Pod and container security settings of the Pod Security "restricted" profile. */}}
{{- define "stella.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "stella.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "stella.pullSecrets" -}}
imagePullSecrets:
{{- range .Values.image.pullSecrets }}
  - name: {{ if kindIs "string" . }}{{ . }}{{ else }}{{ .name }}{{ end }}
{{- end }}
{{- end -}}

{{/* Values that contradict each other fail the install with a message (values.schema.json catches unknown keys and
     types). */}}
{{- define "stella.validate" -}}
{{- $v := .Values -}}
{{- if and $v.minio.enabled $v.storage.s3.endpoint -}}
{{- fail "storage.s3.endpoint and minio.enabled are exclusive: use an external object store or the bundled MinIO, not both" -}}
{{- end -}}
{{- if and (not $v.minio.enabled) (not $v.storage.s3.endpoint) -}}
{{- fail "no object store: set storage.s3.endpoint (external S3/MinIO) or minio.enabled=true" -}}
{{- end -}}
{{- if and (or (not $v.minio.enabled) (not $v.mongodb.enabled)) (not $v.storage.existingSecret) -}}
{{- fail "external storage needs storage.existingSecret: a Secret with STELLA_S3_ACCESS_KEY, STELLA_S3_SECRET_KEY and STELLA_MONGO_URI" -}}
{{- end -}}
{{- if and (gt (int $v.operator.replicas) 1) (not $v.operator.leaderElection.enabled) -}}
{{- fail "operator.replicas > 1 needs operator.leaderElection.enabled: replicas without an elected leader would all reconcile" -}}
{{- end -}}
{{- end -}}

{{/*
Argo CD sync waves (Helm ignores the annotation): the CRDs (chart crds/, wave 0, Argo CD applies CustomResourceDefinitions
before other kinds of a wave), then the storage (1: its Secret, the bundled MinIO and MongoDB, which must be healthy
before the next wave), then the operator with its ServiceAccounts and RBAC (2; the webhook Deployment belongs here
too), and the ValidatingWebhookConfiguration last (3), so that a fresh install is never blocked by its own webhook.
*/}}
{{- define "stella.syncWave" -}}
argocd.argoproj.io/sync-wave: {{ . | quote }}
{{- end -}}
