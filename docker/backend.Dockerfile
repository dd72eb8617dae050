# syntax=docker/dockerfile:1
# The backend's image: the Spring Boot fat jar on a Java 21 runtime, shaped the way the backend's
# Deployment (charts/backend-chart.ts) runs it. test/dockerfiles.test.ts fails when this file and
# the synthesized manifests disagree.
#
# Built by jenkins/backend.Jenkinsfile from the application repository's root, after
# `mvn package`, with this file fetched from the GitOps repository (parameter DOCKERFILE):
#   docker build -f <this file> .
#
# The base is pinned by tag. Pin it by digest too (FROM <image>:<tag>@sha256:<digest>) once the
# digest has been read from the registry, e.g. with
# `docker buildx imagetools inspect eclipse-temurin:21.0.6_7-jre-noble`; this repository is checked
# without a registry, so it cannot confirm a digest and names none.
FROM eclipse-temurin:21.0.6_7-jre-noble

# Ubuntu 24.04 (noble) has coreutils: /bin/sleep is what the pod's preStop hook runs while
# endpoints drop the pod, before the stop signal.

# Owned by root and only readable by the application: it cannot change its own code.
ARG JAR_FILE=target/*.jar
COPY ${JAR_FILE} /app/app.jar

# The pod's runAsUser and runAsGroup. The UID has no passwd entry; JDK 19 and later then take
# user.home from $HOME.
USER 10001:10001
ENV HOME=/tmp

# The root filesystem is read-only; /tmp (java.io.tmpdir, Tomcat's work directories) is an
# emptyDir, and nothing else is written.
LABEL com.example.chat.writable-paths="/tmp"

EXPOSE 8080

# SIGTERM runs the JVM's shutdown hooks, and with them Spring's graceful shutdown.
STOPSIGNAL SIGTERM

# Exec form: java is PID 1 and receives the stop signal itself; a shell form's /bin/sh would not
# pass it on, and the JVM would be killed at the end of the grace period without shutting down.
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
