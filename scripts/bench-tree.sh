#!/usr/bin/env bash
# bench-tree.sh compares `clarolint scan` with ripgrep on one large tree,
# side by side in one run, and checks that both find the same keys.
#
#   scripts/bench-tree.sh [DIR...]
#
# The DIRs (default: the Go distribution and the module cache) are copied
# to a temporary directory outside any git work tree and a few generated
# keys are planted (BUILD_ONLY=DIR builds that tree in DIR and stops; its
# files are not changed by a run). TREE=DIR runs on a tree built so. Then,
# warm, each tool runs in turn RUNS times (default 10):
#
#   rg -uuu -a -c 'sk_(live|test)_[A-Za-z0-9]{42}'   every file, binaries as text
#   clarolint scan --quiet                           every file, binaries as bytes,
#                                                    encoded keys too (the default)
#   clarolint scan --quiet --decode-depth 0          plain keys only
#
# It prints the median wall time of each, the median of the rounds'
# ratios to ripgrep (which holds when the machine's speed drifts), each
# tool's peak RSS (/usr/bin/time -v), and what looking for encoded keys
# costs. TIMING=0 stops after the checks. Needs rg (apt-get install
# ripgrep) and python3.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-10}
command -v rg >/dev/null || { echo "bench-tree: rg not found; apt-get install ripgrep" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$(go env GOROOT)" "$(go env GOMODCACHE)"

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/clarolint" ./cmd/clarolint
tree=${TREE:-${BUILD_ONLY:-$work/tree}}
if [ -z "${TREE:-}" ]; then
	mkdir -p "$tree"
	for src in "$@"; do cp -r "$src" "$tree/$(basename "$src")-$RANDOM"; done
	chmod -R u+w "$tree"
	# Plant keys in a few files spread over the tree: random base62 bodies.
	while IFS= read -r f; do
		body=$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9' | head -c 42)
		printf '\nCLARO_API_KEY="sk_live_%s"\n' "$body" >>"$f"
	done < <(find "$tree" -type f -name '*.go' | awk 'NR % 2000 == 7')
	[ -z "${BUILD_ONLY:-}" ] || { echo "built $tree"; exit 0; }
fi

files=$(find "$tree" -type f | wc -l)
size=$(du -sm "$tree" | cut -f1)
planted=$(rg -uuu -a -l 'CLARO_API_KEY="sk_live_[A-Za-z0-9]{42}"' "$tree" | wc -l)
echo "tree: $files files, $size MB, $planted keys planted"

clarolint=("$work/clarolint" scan --quiet --format json --output "$work/out.json" "$tree")
plain=("$work/clarolint" scan --quiet --decode-depth 0 --format json --output "$work/out0.json" "$tree")
ripgrep=(rg -uuu -a -c 'sk_(live|test)_[A-Za-z0-9]{42}' "$tree")

# Same keys: clarolint's findings against ripgrep's matching lines.
"${clarolint[@]}" || true
found=$(grep -c '"rule_id"' "$work/out.json" || true)
rgfound=$("${ripgrep[@]}" | awk -F: '{s += $NF} END {print s + 0}')
echo "keys: planted $planted, clarolint $found, ripgrep $rgfound (lines)"

# rss prints a command's peak resident memory in MiB, from GNU time.
rss() {
	/usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || true
	awk -F: '/Maximum resident set size/ {printf "%.0f MiB", $2 / 1024}' "$work/time.txt"
}
[ ! -x /usr/bin/time ] || echo "peak RSS: ripgrep $(rss "${ripgrep[@]}"), clarolint $(rss "${clarolint[@]}")"
[ "${TIMING:-1}" != 0 ] || exit 0

t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
for _ in 1 2; do t "${ripgrep[@]}" >/dev/null; t "${clarolint[@]}" >/dev/null; t "${plain[@]}" >/dev/null; done
a=() b=() c=() rb=() rc=()
for _ in $(seq "$runs"); do
	x=$(t "${ripgrep[@]}") y=$(t "${clarolint[@]}") z=$(t "${plain[@]}")
	a+=("$x") b+=("$y") c+=("$z")
	rb+=("$(awk "BEGIN {printf \"%.4f\", $y / $x}")") rc+=("$(awk "BEGIN {printf \"%.4f\", $z / $x}")")
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "median wall over $runs rounds: ripgrep $(med "${a[@]}") ms, clarolint $(med "${b[@]}") ms, clarolint --decode-depth 0 $(med "${c[@]}") ms"
echo "clarolint/ripgrep: median of the rounds' ratios $(med "${rb[@]}") (--decode-depth 0: $(med "${rc[@]}")); decoding on/off = $(awk "BEGIN {printf \"%.2f\", $(med "${b[@]}") / $(med "${c[@]}")}")"
