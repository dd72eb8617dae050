#!/bin/sh
# Posts how a pipeline run ended to Discord with notify-discord.cjs beside this file: the message of
# `npm run notify`, bundled to run with plain `node`, so it needs neither the GitOps checkout nor
# `npm ci` and works whichever step failed. The application pipelines' post block runs this; the
# delivery-loop test runs this very file.
#
#   sh jenkins/notify.sh <success|failure|unstable|aborted>
#
# Reads DISCORD_WEBHOOK_URL (never printed) and what the pipeline set: COMPONENT, DEPLOY_ENV,
# RELEASED_IMAGE (else IMAGE_REPOSITORY:IMAGE_TAG), IMAGE_TAG (the commit built), FAILED_STAGE,
# and Jenkins' BUILD_URL, JOB_NAME and BUILD_NUMBER. A message that cannot be delivered is
# reported and fails nothing.
set -u
if [ "$#" -ne 1 ]; then
  echo "usage: notify.sh <success|failure|unstable|aborted>" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
status=$1
image=${RELEASED_IMAGE:-}
if [ -z "$image" ] && [ -n "${IMAGE_REPOSITORY:-}" ] && [ -n "${IMAGE_TAG:-}" ]; then image=$IMAGE_REPOSITORY:$IMAGE_TAG; fi
# Only what is known: an empty value would stand for nothing in the message.
set -- --status "$status"
[ -n "${COMPONENT:-}" ] && set -- "$@" --component "$COMPONENT"
[ -n "${DEPLOY_ENV:-}" ] && set -- "$@" --env "$DEPLOY_ENV"
[ -n "$image" ] && set -- "$@" --image "$image"
[ -n "${IMAGE_TAG:-}" ] && set -- "$@" --commit "$IMAGE_TAG"
[ -n "${BUILD_URL:-}" ] && set -- "$@" --build-url "$BUILD_URL"
[ -n "${JOB_NAME:-}" ] && set -- "$@" --job "$JOB_NAME"
[ -n "${BUILD_NUMBER:-}" ] && set -- "$@" --build-number "$BUILD_NUMBER"
[ -n "${FAILED_STAGE:-}" ] && set -- "$@" --message "stage $FAILED_STAGE failed"
exec node "$here/notify-discord.cjs" "$@"
