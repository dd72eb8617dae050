# syntax=docker/dockerfile:1
# The frontend's image: the single-page app's build output (`dist/`) on the unprivileged nginx
# image, shaped the way the frontend's Deployment (charts/frontend-chart.ts,
# constructs/reverse-proxy.ts) runs it. test/dockerfiles.test.ts fails when this file and the
# synthesized manifests disagree.
#
# Built by jenkins/frontend.Jenkinsfile from the application repository's root, after
# `npm run build`, with this file fetched from the GitOps repository (parameter DOCKERFILE):
#   docker build -f <this file> .
#
# The base is pinned by tag. Pin it by digest too (FROM <image>:<tag>@sha256:<digest>) once the
# digest has been read from the registry, e.g. with
# `docker buildx imagetools inspect nginxinc/nginx-unprivileged:1.27.4-alpine3.21`; this
# repository is checked without a registry, so it cannot confirm a digest and names none.
FROM nginxinc/nginx-unprivileged:1.27.4-alpine3.21

# Alpine: /bin/sleep is BusyBox's, what the pod's preStop hook runs. /etc/nginx/mime.types is the
# image's own, and the generated nginx.conf includes it. The pod runs
# `nginx -c /etc/nginx/proxy/nginx.conf` (a ConfigMap), so the image's own configuration and
# entrypoint scripts are not used.

# The web root of the generated configuration. Owned by root and only readable by nginx.
COPY dist/ /usr/share/nginx/html/

# The image's nginx user, the pod's runAsUser and runAsGroup.
USER 101:101

# The root filesystem is read-only; the pid file and the request and response buffers live in
# /var/cache/nginx, an emptyDir, and nothing else is written.
LABEL com.example.chat.writable-paths="/var/cache/nginx"

# 8080: the app and the proxy. 8081: the listener for a load balancer that terminated TLS in
# front of the pods, in the environments that have one (ReverseProxy's tlsOffload).
EXPOSE 8080 8081

# SIGQUIT is nginx's graceful shutdown: workers finish their requests, within
# worker_shutdown_timeout. SIGTERM would be its fast shutdown, which drops them.
STOPSIGNAL SIGQUIT
