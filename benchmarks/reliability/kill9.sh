#!/usr/bin/env bash
# Kill -9 during import: each trial starts a ~500k-row import into a fresh workspace, kills it with
# SIGKILL at a random moment (between 0 and 1.2 times the measured duration of a whole import), then
# checks that
#   1. the workspace opens (`status` exits 0);
#   2. it holds all of the import or none of it (leads = 0 with no import logged, or every stored row
#      with the import logged);
#   3. no rejects file names an import that is not in the log (pending files are dot-files);
#   4. importing the same file again completes, stores exactly the expected rows, leaves no pending
#      file, and a further import of it changes nothing (idempotent).
# Usage: benchmarks/reliability/kill9.sh [TRIALS=20] [ROWS=500000] [SEED=1]
# Prints one line per trial and a summary; exits 1 when any check failed.
set -euo pipefail
TRIALS=${1:-20}
ROWS=${2:-500000}
RANDOM=${3:-1}
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

rm -rf "$DB" "$DB.wal" "$REJ"
sk init >/dev/null
t0=$(now_ms)
sk import "$WORK/data" >/dev/null 2>&1 || [ $? -eq 2 ]
FULL_MS=$(( $(now_ms) - t0 ))
[ "$(leads)" -eq "$EXPECTED" ] || { echo "baseline import stored $(leads), expected $EXPECTED"; exit 1; }
echo "rows $ROWS (stored $EXPECTED, rejected $BAD); whole import ${FULL_MS} ms; trials $TRIALS"

failures=0; none=0; all=0
for t in $(seq 1 "$TRIALS"); do
  rm -rf "$DB" "$DB.wal" "$REJ"
  sk init >/dev/null
  delay=$(( (RANDOM * 32768 + RANDOM) % (FULL_MS * 12 / 10 + 1) ))
  dotnet "$CLI" import "$WORK/data" --db "$DB" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  killed=finished
  if kill -9 "$pid" 2>/dev/null; then killed=killed; fi
  wait "$pid" 2>/dev/null || true

  problems=()
  sk status >/dev/null 2>&1 || problems+=("workspace does not open")
  n=$(leads || echo "?"); i=$(imports || echo "?")
  if [ "$n" = 0 ] && [ "$i" = 0 ]; then state=none; none=$((none + 1))
  elif [ "$n" = "$EXPECTED" ] && [ "$i" = 1 ]; then state=all; all=$((all + 1))
  else state="partial($n rows, $i imports)"; problems+=("partial import")
  fi
  if [ "$i" = 0 ] && [ -n "$(finals)" ]; then problems+=("stray rejects file: $(finals | xargs -n1 basename | tr '\n' ' ')"); fi

  sk import "$WORK/data" >/dev/null 2>&1 || [ $? -eq 2 ] || problems+=("re-import failed")
  [ "$(leads)" = "$EXPECTED" ] || problems+=("re-import stored $(leads)")
  [ "$(pendings)" = 0 ] || problems+=("pending files left after re-import")
  sk import "$WORK/data" >/dev/null 2>&1 || [ $? -eq 2 ] || problems+=("second re-import failed")
  [ "$(leads)" = "$EXPECTED" ] || problems+=("not idempotent: $(leads) rows")
  expected_files=$(( $(imports) ))
  [ "$(finals | wc -l)" = "$expected_files" ] || problems+=("$(finals | wc -l) rejects files for $expected_files imports")

  if [ ${#problems[@]} -eq 0 ]; then verdict=ok; else verdict="FAIL: ${problems[*]}"; failures=$((failures + 1)); fi
  printf 'trial %2d: kill at %5d ms (%s) -> %s; %s\n' "$t" "$delay" "$killed" "$state" "$verdict"
done

echo "summary: $TRIALS trials, $none none, $all all, $failures failed"
[ "$failures" -eq 0 ]
