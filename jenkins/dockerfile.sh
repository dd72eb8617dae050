#!/bin/sh
# Prints the path of the Dockerfile an application pipeline builds its image with: the "Docker
# build" stage of jenkins/backend.Jenkinsfile and jenkins/frontend.Jenkinsfile runs this, then
# `docker build -f <that path> .` in the application's checkout.
#
#   sh jenkins/dockerfile.sh <spec>
#
# <spec> (the pipelines' DOCKERFILE parameter):
#   gitops:<path>  the file at <path> in the GitOps repository, on the branch Argo CD tracks: the
#                  reference Dockerfiles under docker/, which the repository's tests hold to the
#                  manifests that run the images. Fetched with a shallow clone into DOCKERFILE_DIR
#                  (default "$WORKSPACE@dockerfile", beside the workspace, so it never ends up in
#                  the build context); the commit it came from is reported on stderr.
#   <path>         a file of the application's own checkout, relative to it, e.g. Dockerfile.
#
# Environment:
#   GITOPS_REPO_URL, GITOPS_BRANCH   the GitOps repository and branch (for gitops: only)
#   DOCKERFILE_DIR                   where to clone it (for gitops: only)
# Git authenticates as the caller's environment says (Jenkins: withCredentials gitUsernamePassword).
set -eu

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "usage: dockerfile.sh gitops:<path> | <path>" >&2
  exit 2
fi
spec=$1

case $spec in
  gitops:*)
    file=${spec#gitops:}
    case $file in
      '' | /* | ../* | */../* | *'/..') echo "dockerfile: '$file' is not a path inside the GitOps repository" >&2; exit 2 ;;
    esac
    : "${GITOPS_REPO_URL:?GITOPS_REPO_URL is not set}"
    : "${GITOPS_BRANCH:?GITOPS_BRANCH is not set}"
    dir=${DOCKERFILE_DIR:-${WORKSPACE:?neither DOCKERFILE_DIR nor WORKSPACE is set}@dockerfile}
    rm -rf "$dir"
    git clone --quiet --depth 1 --single-branch --branch "$GITOPS_BRANCH" -- "$GITOPS_REPO_URL" "$dir" >&2
    if [ ! -f "$dir/$file" ]; then
      echo "dockerfile: $file is not a file of $GITOPS_REPO_URL on $GITOPS_BRANCH" >&2
      exit 1
    fi
    echo "dockerfile: $file of $GITOPS_REPO_URL at $(git -C "$dir" rev-parse HEAD)" >&2
    # An absolute path: docker build reads -f relative to where it runs.
    (cd "$dir" && printf '%s/%s\n' "$(pwd -P)" "$file")
    ;;
  *)
    if [ ! -f "$spec" ]; then
      echo "dockerfile: $spec is not a file of the application's checkout" >&2
      exit 1
    fi
    echo "dockerfile: $spec of the application's checkout" >&2
    printf '%s\n' "$spec"
    ;;
esac
