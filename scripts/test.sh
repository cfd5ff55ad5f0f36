#!/usr/bin/env bash
# The whole test suite. The PostgreSQL tests (the store's, and the engine's on each store) need a server:
# use WAYMARK_TEST_DATABASE_URL when set, else DATABASE_URL when it is a postgres:// URL, else start this
# machine's PostgreSQL 15 cluster (Debian's pg_ctlcluster) and use it. Each test makes a schema of its own
# there and drops it afterwards. WAYMARK_SKIP_POSTGRES=1 skips the PostgreSQL tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# DATABASE_URL is the server's setting (a postgres:// URL; anything else is a SQLite file, not for us).
if [ -z "${WAYMARK_TEST_DATABASE_URL:-}" ] && [[ "${DATABASE_URL:-}" =~ ^[Pp][Oo][Ss][Tt][Gg][Rr][Ee][Ss]([Qq][Ll])?:// ]]; then
  export WAYMARK_TEST_DATABASE_URL="$DATABASE_URL"
fi

if [ -z "${WAYMARK_TEST_DATABASE_URL:-}" ] && [ "${WAYMARK_SKIP_POSTGRES:-}" != "1" ]; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster 15 main status >/dev/null 2>&1 || pg_ctlcluster 15 main start
    # A known password so the tests can connect over TCP like an application would.
    su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
    export WAYMARK_TEST_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:5432/postgres"
  else
    echo "test: PostgreSQL 15 not found; install it (apt-get install postgresql-15), set WAYMARK_TEST_DATABASE_URL (or DATABASE_URL), or set WAYMARK_SKIP_POSTGRES=1" >&2
    exit 1
  fi
fi

# The dashboard's browser test (test/web) drives Debian's Chromium: install it when missing and we may.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y chromium
  else
    echo "test: /usr/bin/chromium not found; install it (apt-get install chromium)" >&2
    exit 1
  fi
fi

# The tests run TypeScript through tsx, the CLI's included (test/cli/run.ts spawns src/cli/main.ts): no build
# needed, nor used. test/cli/build.test.ts is the one that runs `npm run build` (into a temporary folder) and
# checks the compiled bin/waymark.mjs that ships.
# Node 20's test runner does not expand globs itself.
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=2 "$@" "${files[@]}"
