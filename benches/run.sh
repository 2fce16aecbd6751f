#!/usr/bin/env bash
# End-to-end benchmark: ceu against DuckDB on the same synthetic batches.
#
#   benches/run.sh [WORKDIR]        (needs: pip install duckdb)
#
# Generates (seeded) a 1M-row and a 10M-row transcript CSV, 200 workbooks
# of 5,000 rows and one workbook of 1M rows, then times `ceu convert` with 1
# and 2 threads and the DuckDB query of benches/duckdb_rules.py on the same
# files, and calamine alone reading every cell of the workbooks
# (benches/calamine_floor.rs), printing wall time, peak memory and ratios as
# Markdown table rows. SIZES="1000000" limits the CSV sizes. A change moves
# the workbook ratio by a few percent, less than this machine's drift from
# run to run: calamine alone and ceu are run alternately RUNS times (5) for
# each thread count, and the medians are compared. ceu runs RUNS times on
# each CSV batch too (a single run of 10M rows was once 0.8 s above the
# median); DuckDB, at a minute a run, once. Each ceu row gives the median
# wall time and the highest peak of its runs (the one large workbook, run
# last, once). The runs with 1 and 2 threads alternate too, each count
# first in every other pair, so the speed-up of 2 threads over 1, printed
# last with the growth from 1M to 10M rows, compares runs made at the same
# hour: the median of each pair's ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/ceu-bench}
sizes=${SIZES:-"1000000 10000000"}
runs=${RUNS:-5}
[ "$runs" -ge 1 ] || { echo "RUNS must be a number of runs, at least 1" >&2; exit 2; }
mkdir -p "$work"
cargo build --release --quiet
ceu=target/release/ceu

# wall seconds (to the millisecond: time's own are hundredths, a tenth of
# the gap between 1.67x and 1.70x on the 1M-row batch's half-second runs)
# and peak resident MB of a command
measure() {
  local start end status
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" || {
    status=$?
    [ "$status" -eq 3 ] || { cat "$work/stderr.txt" >&2; return "$status"; }
  }
  end=$(date +%s%N)
  awk -v ns=$(( end - start )) '{ printf "%.3f %.0f\n", ns / 1e9, $1 / 1024 }' "$work/time.txt"
}

# the median of numbers
median() {
  printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
    END { printf "%.2f\n", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# the median of each pair's ratio, a / b: pairs run one after the other
# (a run timed at 0 has no ratio)
pair_ratio() {
  paste -d ' ' <(printf '%s\n' $1) <(printf '%s\n' $2) | awk '$2 > 0 { print $1 / $2 }' | sort -g | awk '{ a[NR] = $1 }
    END { if (NR == 0) print "n/a"; else printf "%.2fx as fast\n", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# the thread counts of pair k, 1 then 2, or 2 then 1: each takes its turn
# first, after whatever ran before the pair (a build, DuckDB)
pair_order() {
  if [ $(( $1 % 2 )) -eq 1 ]; then echo "1 2"; else echo "2 1"; fi
}

# by thread count: each run's wall seconds, and the highest peak
declare -A walls mb floors two_threads
speedups=()
echo "| batch | tool | threads | wall s | peak MB | ratio |"
echo "|---|---|---|---|---|---|"
for rows in $sizes; do
  csv="$work/batch_$rows.csv"
  [ -f "$csv" ] || "$ceu" generate --rows "$rows" --out "$csv" --seed 1
  # ceu first: after DuckDB hands back its 15 GB, the next program's first
  # touches of memory cost more on this VM (ceu took about 1 s longer on 10M rows).
  walls=([1]="" [2]=""); mb=([1]=0 [2]=0)
  for k in $(seq "$runs"); do
    for threads in $(pair_order "$k"); do
      rm -rf "$work/out"; sync  # the deleted outputs are discarded before the next run starts
      read -r s run_mb < <(measure "$ceu" convert "$csv" --out "$work/out" --as-of 2026-11-15 --threads "$threads" -q)
      walls[$threads]+=" $s"
      mb[$threads]=$(( run_mb > mb[$threads] ? run_mb : mb[$threads] ))
    done
  done
  speedups+=("$rows-row CSV|$(pair_ratio "${walls[1]}" "${walls[2]}")")
  two_threads[$rows]=$(median ${walls[2]})
  read -r duck_s duck_mb < <(measure python3 benches/duckdb_rules.py "$csv" "$work" 2)
  for threads in 1 2; do
    s=$(median ${walls[$threads]})
    ratio=$(awk -v d="$duck_s" -v c="$s" 'BEGIN { if (c > 0) printf "%.1fx faster", d / c; else printf "n/a" }')
    echo "| $rows-row CSV | ceu | $threads | $s | ${mb[$threads]} | $ratio |"
  done
  echo "| $rows-row CSV | DuckDB | 2 | $(printf '%.2f' "$duck_s") | $duck_mb | |"
done

books="$work/workbooks"
[ -d "$books" ] || "$ceu" generate --workbooks 200 --rows 5000 --out "$books" --seed 2
cargo build --release --quiet --bench calamine_floor
floors=([1]="" [2]=""); walls=([1]="" [2]=""); mb=([1]=0 [2]=0)
for k in $(seq "$runs"); do
  for threads in $(pair_order "$k"); do
    read -r floor _ < <(cargo bench --quiet --bench calamine_floor -- "$books" "$threads")
    rm -rf "$work/out"; sync
    read -r s run_mb < <(measure "$ceu" convert "$books" --out "$work/out" --as-of 2026-11-15 --threads "$threads" -q)
    floors[$threads]+=" $floor"
    walls[$threads]+=" $s"
    mb[$threads]=$(( run_mb > mb[$threads] ? run_mb : mb[$threads] ))
  done
done
for threads in 1 2; do
  floor=$(median ${floors[$threads]})
  s=$(median ${walls[$threads]})
  ratio=$(awk -v f="$floor" -v c="$s" 'BEGIN { printf "%.2fx calamine", c / f }')
  echo "| 200 xlsx x 5,000 rows | ceu | $threads | $s | ${mb[$threads]} | $ratio |"
  echo "| 200 xlsx x 5,000 rows | calamine alone | $threads | $floor | | |"
done
speedups+=("200 xlsx x 5,000 rows|$(pair_ratio "${walls[1]}" "${walls[2]}")")

# One large workbook: memory grows with the records kept, not with the cells read.
big="$work/one_workbook"
[ -d "$big" ] || "$ceu" generate --workbooks 1 --rows 1000000 --out "$big" --seed 3
read -r _ floor_mb < <(measure cargo bench --quiet --bench calamine_floor -- "$big" 1)
read -r floor _ < <(cargo bench --quiet --bench calamine_floor -- "$big" 1)
rm -rf "$work/out"; sync
read -r s mb < <(measure "$ceu" convert "$big" --out "$work/out" --as-of 2026-11-15 --threads 2 -q)
ratio=$(awk -v f="$floor" -v c="$s" 'BEGIN { printf "%.2fx calamine", c / f }')
echo "| 1 xlsx x 1,000,000 rows | ceu | 2 | $(printf '%.2f' "$s") | $mb | $ratio |"
echo "| 1 xlsx x 1,000,000 rows | calamine alone | 1 | $floor | $floor_mb | |"

echo
echo "| batch | 2 threads against 1 (median of pairs) |"
echo "|---|---|"
for speedup in "${speedups[@]}"; do
  echo "| ${speedup%%|*} | ${speedup#*|} |"
done
if [ -n "${two_threads[1000000]:-}" ] && [ -n "${two_threads[10000000]:-}" ]; then
  growth=$(awk -v a="${two_threads[1000000]}" -v b="${two_threads[10000000]}" 'BEGIN { printf "%.1f", b / a }')
  echo
  echo "10M rows take ${growth}x the time of 1M rows (2 threads, medians)."
fi
