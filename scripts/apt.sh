# Debian package helpers for the scripts in services.d/ (source it).
#   can_apt            true when this shell may install packages (root, with apt-get)
#   apt_install P...   installs packages quietly, refreshing the package lists once if needed

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}
