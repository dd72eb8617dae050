#!/bin/sh
# Releases an image through the GitOps repository: a fresh checkout of its branch, `npm run
# set-image`, then `npm run publish` (commit and push; it rebases and retries when another
# pipeline pushed first). The application pipelines' "Release to GitOps" stage runs this and
# nothing else; the delivery-loop test runs this very file.
#
#   sh jenkins/release.sh <component> <image> <environment>
#
# Environment:
#   GITOPS_REPO_URL          the GitOps repository (required; gitops.config.yaml's repository.url)
#   GITOPS_BRANCH            its branch Argo CD tracks (required; gitops.config.yaml's targetRevision)
#   GITOPS_DIR               where to check it out (default: "$WORKSPACE@gitops", beside the workspace,
#                            so it never ends up in the application's build or Docker context)
#   RELEASE_ATTEMPTS         fresh checkouts to try (default 3): a retry also covers the branch
#                            moving on with new synthesizer code, which publish refuses to build on
#   ALLOW_REPOSITORY_CHANGE  "true": accept an image from another repository than the environment
#                            runs now (set-image --allow-repository-change), e.g. a registry move
#   BUILD_URL                the build, named in the commit message
#   GITOPS_NODE_MODULES      a node_modules folder for the checkout's package-lock.json, used
#                            instead of `npm ci` (an agent's cache); default: npm ci
# Git authenticates as the caller's environment says (Jenkins: withCredentials gitUsernamePassword).
set -eu

if [ "$#" -ne 3 ]; then
  echo "usage: release.sh <component> <image> <environment>" >&2
  exit 2
fi
component=$1
image=$2
environment=$3
: "${GITOPS_REPO_URL:?GITOPS_REPO_URL is not set}"
: "${GITOPS_BRANCH:?GITOPS_BRANCH is not set}"
dir=${GITOPS_DIR:-${WORKSPACE:?neither GITOPS_DIR nor WORKSPACE is set}@gitops}
attempts=${RELEASE_ATTEMPTS:-3}
case $attempts in '' | *[!0-9]* | 0) echo "release: RELEASE_ATTEMPTS must be a whole number of at least 1, not '$attempts'" >&2; exit 2 ;; esac

allow=
if [ "${ALLOW_REPOSITORY_CHANGE:-false}" = true ]; then allow=--allow-repository-change; fi

# One attempt, in a subshell so that `cd` and a failing step end only the attempt. Every step says
# `|| exit 1`: `set -e` does not apply inside a function called as an `if` condition.
release_once() (
  rm -rf "$dir" || exit 1
  git clone --quiet --single-branch --branch "$GITOPS_BRANCH" -- "$GITOPS_REPO_URL" "$dir" || exit 1
  cd "$dir" || exit 1
  if [ -n "${GITOPS_NODE_MODULES:-}" ]; then
    ln -s "$GITOPS_NODE_MODULES" node_modules || exit 1
  else
    npm ci --no-audit --no-fund || exit 1
  fi
  # shellcheck disable=SC2086 # $allow is one word or none
  npm run --silent set-image -- "$component" "$image" --env "$environment" $allow || exit 1
  npm run --silent publish -- --message-from "${BUILD_URL:-}" --branch "$GITOPS_BRANCH" || exit 1
)

attempt=1
while :; do
  echo "release: $component $image to $environment (attempt $attempt of $attempts)"
  if release_once; then
    echo "release: done"
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    echo "release: failed after $attempts attempt(s); nothing more was pushed" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
done
