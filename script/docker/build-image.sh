#!/usr/bin/env bash
# Builds the default image of `isolation: "docker"` Python actors, `actorflow/python:local`, with no
# registry: a root filesystem holding only this machine's CPython (interpreter, standard library,
# the shared libraries they link) imported with `docker import`. ~40 MB, built in a few seconds;
# rebuilt only when this recipe or the interpreter changes (label actorflow.recipe).
# The actor host program is not baked in: the engine bind-mounts script/python/actor_host.py read-only.
#   usage: build-image.sh [--force]      env: ACTORFLOW_PYTHON (default /usr/bin/python3),
#                                             ACTORFLOW_PYTHON_IMAGE (default actorflow/python:local)
set -euo pipefail
IMAGE="${ACTORFLOW_PYTHON_IMAGE:-actorflow/python:local}"
PY="$(readlink -f "${ACTORFLOW_PYTHON:-/usr/bin/python3}")"
PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
STDLIB="$("$PY" -I -S -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')"
RECIPE="$( { cat "${BASH_SOURCE[0]}"; "$PY" -VV; } | sha256sum | cut -c1-16)"

if [ "${1:-}" != --force ] && [ "$(docker image inspect "$IMAGE" --format '{{index .Config.Labels "actorflow.recipe"}}' 2>/dev/null)" = "$RECIPE" ]; then
  exit 0
fi
echo "actorflow: building $IMAGE from $PY (Python $PYVER)" >&2
ROOTFS="$(mktemp -d)"
trap 'rm -rf "$ROOTFS"' EXIT

# Copies a file to the same path inside the rootfs, following symlinks, with /lib -> /usr/lib merged.
put() { local dir; dir="$(readlink -f "$(dirname "$1")")"; mkdir -p "$ROOTFS$dir"; cp -L "$1" "$ROOTFS$dir/$(basename "$1")"; }

mkdir -p "$ROOTFS"/{usr/bin,usr/lib,usr/lib64,etc,proc,sys,dev,actorflow} && install -d -m 1777 "$ROOTFS/tmp"
ln -s usr/bin "$ROOTFS/bin"; ln -s usr/lib "$ROOTFS/lib"; ln -s usr/lib64 "$ROOTFS/lib64"
put "$PY"
ln -s "$(basename "$PY")" "$ROOTFS/usr/bin/python3"
mkdir -p "$ROOTFS$STDLIB"
tar -C "$STDLIB" -c --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./turtledemo \
  --exclude=./ensurepip --exclude=./lib2to3 --exclude=./pydoc_data --exclude='./config-*' \
  --exclude='./site-packages' --exclude='./dist-packages' --exclude='*_test*.so' . | tar -C "$ROOTFS$STDLIB" -x
# Every shared library the interpreter and its extension modules link, plus the dynamic loader.
for lib in $(ldd "$PY" "$STDLIB"/lib-dynload/*.so 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/.*ld-linux/{print $1}' | sort -u); do
  put "$lib"
done
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"

tar -C "$ROOTFS" -c . | docker import \
  --change "LABEL actorflow.recipe=$RECIPE" --change "LABEL actorflow.python=$PYVER" \
  --change 'USER 65534:65534' --change 'WORKDIR /tmp' --change 'CMD ["/usr/bin/python3"]' \
  - "$IMAGE" >/dev/null
docker image prune -f --filter label=actorflow.recipe >/dev/null   # the image this one replaced
echo "actorflow: built $IMAGE ($(docker image inspect "$IMAGE" --format '{{.Size}}') bytes)" >&2
