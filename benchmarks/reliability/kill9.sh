#!/usr/bin/env bash
# Kill -9 during import: each trial starts a ~500k-row import into a fresh workspace and kills it with
# SIGKILL — TRIALS times at a random moment between 0 and 1.0 times the measured duration of a whole
# import, and AFTER more times deliberately just after the commit (as soon as the import's --verbose
# trace says "committed"). The duration (process start included) is the median of the last three whole
# imports into an empty workspace: three before the trials, then each trial's re-import after a kill that
# left nothing — on a shared machine the import's speed drifts, and a fixed window lets kills land after it. Each import runs with --verbose, so
# the last trace line tells how far it got. Then it checks that
#   1. the workspace opens (`status` exits 0);
#   2. it holds all of the import or none of it (leads = 0 with no import logged, or every stored row
#      with the import logged);
#   3. no rejects file names an import that is not in the log (pending files are dot-files);
#   4. importing the same file again completes, stores exactly the expected rows, leaves no pending
#      file, and a further import of it changes nothing (idempotent);
#   5. an import whose trace reached "committed" is held whole.
# Usage: benchmarks/reliability/kill9.sh [TRIALS=20] [ROWS=500000] [SEED=1] [AFTER=3]
# Prints one line per trial and a summary; exits 1 when any check failed.
set -euo pipefail
TRIALS=${1:-20}
ROWS=${2:-500000}
RANDOM=${3:-1}
AFTER=${4:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${SALESKPI_DLL:-"$ROOT/src/SalesKpi.Cli/bin/Release/net10.0/saleskpi.dll"}
[ -f "$CLI" ] || dotnet build "$ROOT/src/SalesKpi.Cli" -c Release >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export SALESKPI_LANG=en
DB="$WORK/ws.duckdb"
REJ="$WORK/saleskpi-rejects"

# Every 10,000th row has an unreadable date, so each import also writes a rejects file.
BAD=$((ROWS / 10000))
EXPECTED=$((ROWS - BAD))
mkdir -p "$WORK/data"
awk -v n="$ROWS" 'BEGIN {
  print "lead_id,created_at,channel,campaign,company_size"
  for (i = 1; i <= n; i++) {
    d = (i % 10000 == 0) ? "not-a-date" : sprintf("2025-%02d-%02d %02d:%02d", 1 + i % 12, 1 + i % 28, i % 24, i % 60)
    printf "L%d,%s,ch%d,camp%d,%d\n", i, d, i % 7, i % 31, i % 500
  }
}' > "$WORK/data/leads.csv"

sk() { dotnet "$CLI" "$@" --db "$DB"; }
leads() { sk status | awk -F'│' '$2 ~ /^ leads / { gsub(/[^0-9]/, "", $3); print $3 }'; }
imports() { sk status | grep -cE '^│ [0-9]+ │' || true; }
finals() { find "$REJ" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | sort; }
pendings() { find "$REJ" -maxdepth 1 -type f -name '.*' 2>/dev/null | wc -l; }
now_ms() { date +%s%3N; }

# The random window is the duration of a whole import on this machine now.
runs=()
window() { printf '%s\n' "${runs[@]: -3}" | sort -n | sed -n 2p; }
for _ in 1 2 3; do
  rm -rf "$DB" "$DB.wal" "$REJ"
  sk init >/dev/null
  t0=$(now_ms)
  sk import "$WORK/data" --verbose >/dev/null 2>"$WORK/trace" || [ $? -eq 2 ]
  runs+=($(( $(now_ms) - t0 )))
  [ "$(leads)" -eq "$EXPECTED" ] || { echo "baseline import stored $(leads), expected $EXPECTED"; exit 1; }
done
echo "rows $ROWS (stored $EXPECTED, rejected $BAD); whole import ${runs[*]} ms, median $(window) ms; trials $TRIALS random + $AFTER after commit"
echo "trace of the last baseline import: $(grep '^trace:' "$WORK/trace" | sed 's/^trace: //' | paste -sd ';')"

# How far the killed import got, from its --verbose trace.
phase() {
  if grep -q 'trace: committed' "$1"; then echo committed
  elif grep -q 'trace: report files written' "$1"; then echo logged
  elif grep -q 'trace: warnings checked' "$1"; then echo rejects-written
  elif grep -q 'duplicates and replacements resolved' "$1"; then echo resolved
  elif grep -q 'read and appended' "$1"; then echo appended
  else echo reading
  fi
}

failures=0; none=0; all=0
for t in $(seq 1 $((TRIALS + AFTER))); do
  rm -rf "$DB" "$DB.wal" "$REJ"
  sk init >/dev/null
  : >"$WORK/trace"
  t0=$(now_ms)
  dotnet "$CLI" import "$WORK/data" --db "$DB" --verbose >/dev/null 2>"$WORK/trace" &
  pid=$!
  if [ "$t" -le "$TRIALS" ]; then
    how=random
    FULL_MS=$(window)
    delay=$(( (RANDOM * 32768 + RANDOM) % (FULL_MS + 1) ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  else
    how=after-commit
    while kill -0 "$pid" 2>/dev/null && ! grep -q 'trace: committed' "$WORK/trace"; do sleep 0.002; done
  fi
  killed=finished
  if kill -9 "$pid" 2>/dev/null; then killed=killed; fi
  at=$(( $(now_ms) - t0 ))
  wait "$pid" 2>/dev/null || true
  reached=$(phase "$WORK/trace")

  problems=()
  sk status >/dev/null 2>&1 || problems+=("workspace does not open")
  n=$(leads || echo "?"); i=$(imports || echo "?")
  if [ "$n" = 0 ] && [ "$i" = 0 ]; then state=none; none=$((none + 1))
  elif [ "$n" = "$EXPECTED" ] && [ "$i" = 1 ]; then state=all; all=$((all + 1))
  else state="partial($n rows, $i imports)"; problems+=("partial import")
  fi
  if [ "$i" = 0 ] && [ -n "$(finals)" ]; then problems+=("stray rejects file: $(finals | xargs -n1 basename | tr '\n' ' ')"); fi
  if [ "$reached" = committed ] && [ "$state" != all ]; then problems+=("committed but not held whole"); fi

  t0=$(now_ms)
  sk import "$WORK/data" >/dev/null 2>&1 || [ $? -eq 2 ] || problems+=("re-import failed")
  if [ "$state" = none ]; then runs+=($(( $(now_ms) - t0 ))); fi
  [ "$(leads)" = "$EXPECTED" ] || problems+=("re-import stored $(leads)")
  [ "$(pendings)" = 0 ] || problems+=("pending files left after re-import")
  sk import "$WORK/data" >/dev/null 2>&1 || [ $? -eq 2 ] || problems+=("second re-import failed")
  [ "$(leads)" = "$EXPECTED" ] || problems+=("not idempotent: $(leads) rows")
  expected_files=$(( $(imports) ))
  [ "$(finals | wc -l)" = "$expected_files" ] || problems+=("$(finals | wc -l) rejects files for $expected_files imports")

  if [ ${#problems[@]} -eq 0 ]; then verdict=ok; else verdict="FAIL: ${problems[*]}"; failures=$((failures + 1)); fi
  [ "$how" = random ] && how="random/$FULL_MS"
  printf 'trial %2d: %-18s kill at %5d ms (%s, reached %s) -> %s; %s\n' "$t" "$how" "$at" "$killed" "$reached" "$state" "$verdict"
done

echo "summary: $((TRIALS + AFTER)) trials, $none none, $all all, $failures failed"
[ "$failures" -eq 0 ]
