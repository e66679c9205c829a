#!/usr/bin/env bash
# bench-vet.sh times go vet (its own suite of analyzers) against
# go vet -vettool=clarolint-vet on the same packages, side by side in one run.
#
#   scripts/bench-vet.sh [-n REPS] [PATTERN...]     (default: -n 5 net/...)
#
# PATTERN is a package pattern of the Go distribution, run from $GOROOT/src:
# std, net/..., encoding/... Each repetition runs both commands, in
# alternating order, and the script prints every time, the medians and their
# ratio (clarolint-vet / go vet; at most 1.00 means no slower).
#
# What it measures: go vet caches its results, keyed by the vet tool, its
# flags and the package, so a second run of either command would only read
# the cache. Each timed run therefore gets its own copy (hard links) of one
# build cache that holds the compiled export data of every package involved
# and no vet result for either tool: both commands pay for running their
# tool on the packages and, for facts, on their dependencies, and for
# nothing else. The cache is warmed once, untimed, with a copy of
# clarolint-vet that differs by one byte: go vet identifies a tool by a hash
# of its binary, so that copy compiles everything both commands need but
# leaves no result that either can reuse.
#
# The analyzer's own cost per package, against type-checking it, is
# BenchmarkAnalyzer: go test -run '^$' -bench Analyzer ./analyzer
set -euo pipefail

reps=5
if [[ ${1-} == -n ]]; then
	reps=$2
	shift 2
fi
patterns=("${@:-net/...}")

repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOWORK=off

(cd "$repo" && go build -o "$tmp/clarolint-vet" ./cmd/clarolint-vet)
cp "$tmp/clarolint-vet" "$tmp/warm-vet"
printf '\n' >>"$tmp/warm-vet"

cd "$(go env GOROOT)/src"
npkgs=$(go list "${patterns[@]}" | wc -l)
echo "$(go version), $(nproc) CPUs; ${patterns[*]}: $npkgs packages; $reps repetitions"

# vet runs go vet with a fresh copy of the warm cache and prints the
# seconds it took. Exit status 1 (reports) is data, anything else is fatal.
vet() {
	rm -rf "$tmp/run"
	cp -al "$tmp/base" "$tmp/run"
	local start end status=0
	start=$EPOCHREALTIME
	GOCACHE="$tmp/run" go vet "$@" "${patterns[@]}" >"$tmp/out" 2>&1 || status=$?
	end=$EPOCHREALTIME
	if ((status > 1)); then
		cat "$tmp/out" >&2
		echo "go vet $*: exit $status" >&2
		exit 2
	fi
	if ((status == 1)); then
		echo "go vet $* reported (exit 1):" >&2
		head -5 "$tmp/out" >&2
	fi
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }'
}

echo "warming the build cache (untimed)..."
GOCACHE="$tmp/base" go vet -vettool="$tmp/warm-vet" "${patterns[@]}" >/dev/null 2>&1 || true

plain=() tool=()
printf '%4s %10s %14s\n' rep "go vet" "clarolint-vet"
for ((i = 1; i <= reps; i++)); do
	if ((i % 2)); then
		p=$(vet)
		c=$(vet -vettool="$tmp/clarolint-vet")
	else
		c=$(vet -vettool="$tmp/clarolint-vet")
		p=$(vet)
	fi
	plain+=("$p") tool+=("$c")
	printf '%4d %9ss %13ss\n' "$i" "$p" "$c"
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mp=$(median "${plain[@]}")
mc=$(median "${tool[@]}")
printf 'median %8ss %13ss   ratio clarolint-vet/go vet = %s\n' "$mp" "$mc" \
	"$(awk -v a="$mc" -v b="$mp" 'BEGIN { printf "%.2f", a / b }')"
