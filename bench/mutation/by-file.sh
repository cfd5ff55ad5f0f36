#!/usr/bin/env bash
# Mutation testing of src/core one file at a time (stryker.config.mjs, MUTATE): each file keeps its own report
# and incremental file under bench/mutation/out, so a long run can stop and resume, and a rerun retests only
# what changed. `node bench/mutation/score.mjs` sums the reports. Files given as arguments narrow the run.
set -uo pipefail
cd "$(dirname "$0")/../.."
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find src/core -name '*.ts' | sort)
for file in "${files[@]}"; do
  echo "== $file"
  MUTATE="$file" npx stryker run --reporters json,progress 2>&1 | grep -E 'mutants|Done in|ERROR' || true
done
node bench/mutation/score.mjs
