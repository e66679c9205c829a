#!/usr/bin/env bash
# bench-tree.sh compares `clarolint scan` with ripgrep on one large tree,
# side by side in one run, and checks that both find the same keys.
#
#   scripts/bench-tree.sh [DIR...]
#
# The DIRs (default: the Go distribution and the module cache, about 760 MB
# in 26k files here) are copied to a temporary directory outside any git
# work tree, a few generated keys are planted, and then, warm, each tool
# runs alternately RUNS times (default 10):
#
#   rg -uuu -a -c 'sk_(live|test)_[A-Za-z0-9]{42}'   every file, binaries as text
#   clarolint scan --quiet                           every file, binaries as bytes,
#                                                    encoded keys too (the default)
#   clarolint scan --quiet --decode-depth 0          plain keys only
#
# It prints the median wall time of each, clarolint's against ripgrep's,
# and what looking for encoded keys costs. Needs rg (apt-get install
# ripgrep); uses hyperfine when present.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-10}
command -v rg >/dev/null || { echo "bench-tree: rg not found; apt-get install ripgrep" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$(go env GOROOT)" "$(go env GOMODCACHE)"

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/clarolint" ./cmd/clarolint
tree=$work/tree
mkdir -p "$tree"
for src in "$@"; do cp -r "$src" "$tree/$(basename "$src")-$RANDOM"; done
chmod -R u+w "$tree"

# Plant keys in a few files spread over the tree: random base62 bodies.
planted=0
while IFS= read -r f; do
	body=$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9' | head -c 42)
	printf '\nCLARO_API_KEY="sk_live_%s"\n' "$body" >>"$f"
	planted=$((planted + 1))
done < <(find "$tree" -type f -name '*.go' | awk 'NR % 2000 == 7')

files=$(find "$tree" -type f | wc -l)
size=$(du -sm "$tree" | cut -f1)
echo "tree: $files files, $size MB, $planted keys planted"

clarolint=("$work/clarolint" scan --quiet --format json --output "$work/out.json" "$tree")
plain=("$work/clarolint" scan --quiet --decode-depth 0 --format json --output "$work/out0.json" "$tree")
ripgrep=(rg -uuu -a -c 'sk_(live|test)_[A-Za-z0-9]{42}' "$tree")

# Same keys: clarolint's findings against ripgrep's matching lines.
"${clarolint[@]}" || true
found=$(grep -c '"rule_id"' "$work/out.json" || true)
rgfound=$("${ripgrep[@]}" | awk -F: '{s += $NF} END {print s + 0}')
echo "keys: planted $planted, clarolint $found, ripgrep $rgfound (lines)"

report() { # ripgrep, clarolint and clarolint --decode-depth 0 medians, in ms
	awk -v rg="$1" -v cl="$2" -v pl="$3" 'BEGIN {
		printf "median wall: ripgrep %.0f ms, clarolint %.0f ms, clarolint --decode-depth 0 %.0f ms\n", rg, cl, pl
		printf "clarolint/ripgrep = %.2f (--decode-depth 0: %.2f); decoding on/off = %.2f\n", cl / rg, pl / rg, cl / pl
	}'
}

if command -v hyperfine >/dev/null; then
	hyperfine --warmup 2 --runs "$runs" -i -N --export-json "$work/h.json" \
		-n ripgrep "${ripgrep[*]}" -n clarolint "${clarolint[*]}" -n plain "${plain[*]}" >/dev/null
	read -r rg_ms cl_ms pl_ms < <(python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print(*(r[n]["median"] * 1000 for n in ("ripgrep", "clarolint", "plain")))
PY
	)
	report "$rg_ms" "$cl_ms" "$pl_ms"
else
	t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
	for _ in 1 2; do t "${ripgrep[@]}" >/dev/null; t "${clarolint[@]}" >/dev/null; t "${plain[@]}" >/dev/null; done
	a=() b=() c=()
	for _ in $(seq "$runs"); do a+=("$(t "${ripgrep[@]}")"); b+=("$(t "${clarolint[@]}")"); c+=("$(t "${plain[@]}")"); done
	med() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
	report "$(med "${a[@]}")" "$(med "${b[@]}")" "$(med "${c[@]}")"
fi
