#!/usr/bin/env bash
# Set up everything the project needs on a fresh machine: system packages
# (Java for HermiT, Chromium and a CJK font for the browser tests, Virtuoso and raptor's
# rapper for the engine conformance tests), a virtualenv, the package, and the Node.js
# clients of the tests (Comunica; axe-core for the accessibility checks).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ "${KG_SETUP_BROWSER:-1}" = 1 ] && [ ! -x /usr/bin/chromium ]; then need_apt+=(chromium); fi
# A CJK font, so that the browser tests and the screenshots render Chinese (not tofu boxes).
if [ "${KG_SETUP_BROWSER:-1}" = 1 ] && [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  need_apt+=(fonts-wqy-microhei)
fi
if [ "${KG_SETUP_BENCH:-0}" = 1 ] && ! command -v wrk >/dev/null 2>&1; then need_apt+=(wrk); fi
# The engine conformance tests (tests/_engines.py) run Virtuoso (virtuoso-t, isql-vt) on
# loopback with a database of their own; raptor2-utils (rapper) is a second RDF parser to
# check dumps with.
if [ "${KG_SETUP_ENGINES:-1}" = 1 ]; then
  command -v virtuoso-t >/dev/null 2>&1 || need_apt+=(virtuoso-opensource)
  command -v rapper >/dev/null 2>&1 || need_apt+=(raptor2-utils)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${need_apt[*]} with apt-get" >&2
  $sudo apt-get update -qq
  if [[ " ${need_apt[*]} " == *" virtuoso-opensource "* ]]; then
    # Answer the package's password questions up front so the install never prompts. The
    # system database it creates is not used: the tests start their own server and database.
    printf '%s\n' \
      "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba" \
      "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba" \
      | $sudo debconf-set-selections
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need_apt[@]}" >/dev/null
  if [[ " ${need_apt[*]} " == *" virtuoso-opensource "* ]]; then
    # Debian may start a system Virtuoso on ports 1111/8890; the tests need neither.
    $sudo service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    $sudo update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
  fi
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.kg-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi

# The SPARQL clients of tests/test_protocol_clients.py that run on Node.js (the Comunica
# command line) and axe-core (injected by tests/test_ui_browser.py), pinned by
# tests/clients/package-lock.json; without node those tests are skipped.
clients=tests/clients
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    { [ ! -d "$clients/node_modules" ] ||
    [ "$clients/package-lock.json" -nt "$clients/node_modules" ]; }; then
  (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$clients/node_modules"
fi

[ -n "${VIRTUAL_ENV:-}" ] || echo "setup: done; kg is .venv/bin/kg: \`. .venv/bin/activate\` puts it (and the virtualenv's python) on PATH" >&2
