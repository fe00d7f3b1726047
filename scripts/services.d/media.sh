#!/usr/bin/env bash
# ffmpeg (Debian's `ffmpeg`) for the media components: ffprobe reads video/audio metadata
# (dimensions, duration, codecs) and the tests generate their video fixtures with ffmpeg.
# Idempotent and instant when installed. Without root or apt it says so and exits 0: the media
# components then read what the npm libraries can, and the video tests skip (except under CI).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
command -v ffprobe >/dev/null 2>&1 && command -v ffmpeg >/dev/null 2>&1 && exit 0
if ! can_apt; then
  echo "actorflow: media: ffmpeg not installed and cannot install it here (needs root + apt); video tests will skip" >&2
  exit 0
fi
echo "actorflow: media: installing ffmpeg" >&2
apt_install ffmpeg
