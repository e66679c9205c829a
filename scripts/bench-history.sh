#!/usr/bin/env bash
# bench-history.sh compares `clarolint history` with the cost of reading
# every object of a repository once, side by side in one run, and checks
# that both find the same keys.
#
#   scripts/bench-history.sh [REPO]
#
# REPO is a repository with a long history (a clone of git/git, say). Without
# it, one is built: COMMITS (default 4000) synthetic commits replayed with
# git fast-import over FILES (default 1500) text files of up to LINES
# (default 900) lines, in FILES/12.5 directories, with edits that make deltas, a few
# large files, branches merged and left unmerged, tags, renames, deletions
# and a dozen planted generated keys (some deleted later), then packed with
# git repack -adf as a clone is (BUILD_ONLY=DIR builds it in DIR, to be
# given as REPO later, and stops). REFS, when set, bounds the refs to about
# that many: merged topic branches then reuse a few names, and unmerged
# topics and tags are spread so that each makes about half of REFS. The
# shape of git/git (85k commits, ~1,000 refs, ~165k blobs, ~5.6 GB of blob
# content) is
#
#   BUILD_ONLY=/work/bench/big.git COMMITS=85000 FILES=4800 LINES=1000 REFS=1019 scripts/bench-history.sh
#
# and a tenth of it COMMITS=8500 FILES=480 REFS=102.
#
# clarolint runs with no git on PATH (env PATH=/nonexistent): it reads the
# object store itself, and the script checks that git cannot be found
# there and that the scan still succeeds. Then:
#
#   keys       every planted key is found at each commit, path and line
#              that introduced it: an oracle built with git (the blobs
#              holding a key from cat-file --batch-all-objects, the commits
#              that put them at a path from git log -m --raw
#              --find-object, each parent's blob at that path, the key's
#              first line) is compared with clarolint's findings
#   memory     peak RSS of each tool, from /usr/bin/time -v
#   time       warm, alternately RUNS times (default 5), with the median
#              wall time of each and the median of the per-round ratios:
#
#   floor      git cat-file --batch-all-objects --batch --unordered | rg -a -c KEY
#              (every object read once, decompressed on one core)
#   clarolint  clarolint history (no git: packs read and deltas resolved
#              in Go on every core)
#   gitleaks   gitleaks git, when it is on PATH or in $(go env GOPATH)/bin
#              (timed once: it is slow)
#
# TIMING=0 stops after the checks and prints the commands it would time,
# for another harness. Needs git, rg and python3, and GNU time
# (/usr/bin/time) for the memory figures.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-5}
commits=${COMMITS:-4000}
files=${FILES:-1500}
maxlines=${LINES:-900}
refs=${REFS:-0}
for tool in git rg python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-history: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
# With TIMING=0 the work directory, with the binary the printed commands
# run, is kept.
[ "${TIMING:-1}" = 0 ] || trap 'rm -rf "$work"' EXIT
go build -o "$work/clarolint" ./cmd/clarolint
gitleaks=$(command -v gitleaks || true)
[ -n "$gitleaks" ] || { [ -x "$(go env GOPATH)/bin/gitleaks" ] && gitleaks=$(go env GOPATH)/bin/gitleaks; } || true

repo=${1:-}
if [ -z "$repo" ]; then
	repo=${BUILD_ONLY:-$work/repo.git}
	git init -q --bare "$repo"
	start=$(date +%s)
	python3 - "$commits" "$files" "$maxlines" "$refs" <<'PY' | git -C "$repo" fast-import --quiet
import random, sys

rnd = random.Random(7)
out = sys.stdout.buffer
letters = "abcdefghijklmnopqrstuvwxyz_"
base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
words = ["".join(rnd.choice(letters) for _ in range(rnd.randint(2, 10))) for _ in range(3000)]
mark = 0

def line():
    return " ".join(rnd.choices(words, k=rnd.randint(3, 12)))

def key():
    return "sk_live_" + "".join(rnd.choice(base62) for _ in range(42))

def blob(lines):
    global mark
    mark += 1
    data = ("\n".join(lines) + "\n").encode()
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    return mark

class Branch:
    def __init__(self, name, files, tip):
        self.name, self.files, self.tip = name, dict(files), tip
        self.changed = set()

n, nfiles, maxlines, nrefs = (int(a) for a in sys.argv[1:5])
ts = 1_500_000_000
dirs = ["src/%s/%s" % (rnd.choice(words), rnd.choice(words)) for _ in range(nfiles * 2 // 25)]
main = Branch("refs/heads/main", {}, None)
for i in range(nfiles):
    p = "%s/%s.%s" % (rnd.choice(dirs), rnd.choice(words), rnd.choice(["go", "py", "js", "md", "yaml"]))
    main.files[p] = [line() for _ in range(rnd.randint(30, maxlines))]
for i in range(4):
    main.files["assets/data%d.csv" % i] = [",".join(rnd.choices(words, k=8)) for _ in range(30000)]
marks = {}

def commit(b, msg, edits, merge=None):
    """edits: path -> lines (None deletes)"""
    global mark, ts
    lines = []
    for p, content in edits.items():
        if content is None:
            b.files.pop(p, None)
            lines.append(b"D %s\n" % p.encode())
        else:
            b.files[p] = content
            lines.append(b"M 100644 :%d %s\n" % (blob(content), p.encode()))
        b.changed.add(p)
    mark += 1
    ts += rnd.randint(60, 20000)
    author = rnd.choice(["Ana <ana@example.com>", "Bo <bo@example.com>", "Cy <cy@example.com>"])
    m = msg.encode()
    out.write(b"commit %s\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\ndata %d\n%s\n" % (
        b.name.encode(), mark, author.encode(), ts, author.encode(), ts, len(m), m))
    if b.tip is not None:
        out.write(b"from :%d\n" % b.tip)
    if merge is not None:
        out.write(b"merge :%d\n" % merge)
    out.write(b"".join(lines) + b"\n")
    b.tip = mark
    return mark

def edit(b):
    edits = {}
    for _ in range(rnd.randint(1, 4)):
        p = rnd.choice(list(b.files))
        if p.startswith("assets/") and rnd.random() < 0.9:
            continue
        ls = list(b.files[p])
        for _ in range(rnd.randint(1, 6)):
            k = rnd.randrange(len(ls) + 1)
            r = rnd.random()
            if r < 0.4 and ls:
                ls[min(k, len(ls) - 1)] = line()
            elif r < 0.8:
                ls.insert(k, line())
            elif ls:
                del ls[min(k, len(ls) - 1)]
        edits[p] = ls
    r = rnd.random()
    if r < 0.03:
        edits["%s/%s.go" % (rnd.choice(dirs), rnd.choice(words))] = [line() for _ in range(rnd.randint(20, 400))]
    elif r < 0.04:
        edits[rnd.choice(list(b.files))] = None
    elif r < 0.05:
        old = rnd.choice([p for p in b.files if not p.startswith("assets/")])
        edits[old] = None
        edits["%s/%s.py" % (rnd.choice(dirs), rnd.choice(words))] = b.files[old]
    return edits

plant = set(rnd.sample(range(50, n), 12))
remove = {}
topic, topics = None, 0
# Without REFS every topic keeps its branch, every tenth stays unmerged and
# every fifth is tagged. With it, about n/10 topics share REFS refs: merged
# ones reuse eight names, and one topic in every `spread` stays unmerged,
# another is tagged.
spread = max(1, (2 * (n // 10)) // max(1, nrefs - 10)) if nrefs else 0

def unmerged(t):
    return t % spread == 0 if spread else t % 10 == 0

def tagged(t):
    return t % spread == spread // 2 if spread else t % 5 == 0

def topic_name(t):
    if spread and not unmerged(t):
        return "refs/heads/topic-%d" % (t % 8)
    return "refs/heads/topic%d" % t
for i in range(n):
    b = topic or main
    edits = edit(b)
    if i in plant:
        p = rnd.choice([p for p in b.files if not p.startswith("assets/")])
        ls = list(edits.get(p) or b.files[p])
        ls.insert(rnd.randrange(len(ls) + 1), 'CLARO_API_KEY = "%s"' % key())
        edits[p] = ls
        if rnd.random() < 0.5:
            remove[i + rnd.randint(5, 60)] = (b, p)
    if i in remove and remove[i][0] is b:
        p = remove[i][1]
        if p in b.files:
            edits[p] = [l for l in (edits.get(p) or b.files[p]) if "sk_live_" not in l]
    commit(b, "commit %d" % i, edits)
    if topic is None and i % 10 == 5:
        topics += 1
        topic = Branch(topic_name(topics), main.files, main.tip)
        topic_end = i + rnd.randint(2, 8)
    elif topic is not None and i >= topic_end:
        if not unmerged(topics):  # merge it
            merged = {p: topic.files.get(p) for p in topic.changed}
            commit(main, "Merge %s" % topic.name, merged, merge=topic.tip)
        if tagged(topics):
            out.write(b"reset refs/tags/v%d\nfrom :%d\n\n" % (topics, topic.tip))
        topic = None
out.write(b"reset refs/tags/release\nfrom :%d\n\n" % main.tip)
PY
	git -C "$repo" symbolic-ref HEAD refs/heads/main
	git -C "$repo" repack -adfq
	echo "built $repo in $(($(date +%s) - start)) s"
	[ -z "${BUILD_ONLY:-}" ] || exit 0
fi

# The repository's size: commits, blobs and bytes of blob content.
git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
	awk '{n[$1]++; s[$1]+=$2} END {printf "repository: %d commits, %d trees, %d blobs, %.0f MB of blob content, ", n["commit"], n["tree"], n["blob"], s["blob"]/1e6}'
du -sm "$(git -C "$repo" rev-parse --absolute-git-dir)/objects" | awk '{print $1 " MB packed"}'

# No git for clarolint: PATH names a directory that does not exist.
if env PATH=/nonexistent /bin/sh -c 'command -v git' >/dev/null 2>&1; then
	echo "bench-history: git is still found with PATH=/nonexistent" >&2
	exit 2
fi
clarolint=(env PATH=/nonexistent "$work/clarolint" history --quiet --format json --show-secrets --output "$work/clarolint.json" "$repo")
floor="git -C $(printf %q "$repo") cat-file --batch-all-objects --batch --unordered | rg -a -c 'sk_(live|test)_[A-Za-z0-9]{42}'"
leaks=("$gitleaks" git --no-banner --log-level error --report-format json --report-path "$work/gitleaks.json" "$repo")

# quote quotes its arguments as one shell command line.
quote() { printf '%q ' "$@"; }

# rss runs a command line under GNU time and prints its peak resident
# memory in MiB (the largest process of the command, a pipe's included).
rss() {
	/usr/bin/time -v sh -c "$1" >/dev/null 2>"$work/time.txt" || true
	awk -F: '/Maximum resident set size/ {printf "%.0f MiB", $2 / 1024}' "$work/time.txt"
}

status=0
"${clarolint[@]}" 2>"$work/clarolint.err" || status=$?
if [ "$status" -gt 1 ]; then
	echo "bench-history: clarolint history failed (exit $status):" >&2
	cat "$work/clarolint.err" >&2
	exit 2
fi
[ ! -s "$work/clarolint.err" ] || { echo "clarolint's warnings:"; cat "$work/clarolint.err"; }

# The keys: distinct ones against the floor's, then each introduction
# against the oracle.
keys() { grep -o 'sk_\(live\|test\)_[A-Za-z0-9]\{42\}' "$@" | sort -u; }
git -C "$repo" cat-file --batch-all-objects --batch --unordered | grep -a -o 'sk_\(live\|test\)_[A-Za-z0-9]\{42\}' | sort -u >"$work/floor.keys"
keys "$work/clarolint.json" >"$work/clarolint.keys" || true
echo "distinct keys: floor $(wc -l <"$work/floor.keys"), clarolint $(wc -l <"$work/clarolint.keys") ($(grep -c '"rule_id"' "$work/clarolint.json") findings)"
cmp -s "$work/floor.keys" "$work/clarolint.keys" && echo "clarolint found the same keys as the floor" || echo "KEYS DIFFER: clarolint and the floor"
python3 - "$repo" "$work/clarolint.json" <<'PY'
import json, re, subprocess, sys

repo, report = sys.argv[1], sys.argv[2]
key = re.compile(rb"sk_(?:live|test)_[A-Za-z0-9]{42}")

def git(*args, **kw):
    return subprocess.run(["git", "-C", repo, *args], check=True, stdout=subprocess.PIPE, **kw).stdout

# Every blob holding a key, with each key's first line.
hits = {}
cat = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch-all-objects", "--batch", "--unordered"], stdout=subprocess.PIPE)
while hdr := cat.stdout.readline():
    oid, typ, size = hdr.split()
    data = cat.stdout.read(int(size))
    cat.stdout.read(1)
    if typ == b"blob" and key.search(data):
        first = {}
        for m in key.finditer(data):
            first.setdefault(m.group().decode(), data.count(b"\n", 0, m.start()) + 1)
        hits[oid.decode()] = first
cat.wait()

# The commits that put one at a path, each parent's blob there, and so the
# keys each introduced: in its blob and in none of its parents' blobs.
changes = set()
commit, parents = None, []
args = ["log", "--all", "--root", "-m", "--no-renames", "--raw", "--no-abbrev", "--format=C %H %P"]
for line in git(*args, *("--find-object=" + h for h in hits)).decode().splitlines():
    if line.startswith("C "):
        commit, *parents = line[2:].split()
    elif line.startswith(":"):
        meta, path = line.split("\t", 1)
        blob = meta.split()[3]
        if blob in hits:
            changes.add((commit, tuple(parents), path, blob))
queries = sorted({"%s:%s" % (p, path) for _, ps, path, _ in changes for p in ps})
out = git("cat-file", "--batch-check=%(objectname) %(objecttype)", input="".join(q + "\n" for q in queries).encode()).decode().splitlines()
at = {q: o.split()[0] if o.endswith(" blob") else None for q, o in zip(queries, out)}
blobkeys = lambda b: set(hits.get(b, {})) if b else set()
want = set()
for commit, parents, path, blob in changes:
    for k, line in hits[blob].items():
        if not any(k in blobkeys(at["%s:%s" % (p, path)]) for p in parents):
            want.add((k, commit, path, line))

got = {(f["secret"], f.get("commit", ""), f["path"], f["line"]) for f in json.load(open(report))["findings"]}
print("introductions: oracle %d, clarolint %d; missing %d, extra %d" % (len(want), len(got), len(want - got), len(got - want)))
for k, c, p, l in sorted(want - got):
    print("  MISSING %s…%s at %s %s:%d" % (k[:8], k[-4:], c[:12], p, l))
for k, c, p, l in sorted(got - want):
    print("  EXTRA   %s…%s at %s %s:%d" % (k[:8], k[-4:], c[:12], p, l))
print("every introduction found at its commit, path and line" if want == got else "INTRODUCTIONS DIFFER")
PY
if [ -n "$gitleaks" ]; then
	"${leaks[@]}" || true
	keys "$work/gitleaks.json" >"$work/gitleaks.keys" || true
	echo "gitleaks: $(wc -l <"$work/gitleaks.keys") distinct keys ($(comm -23 "$work/floor.keys" "$work/gitleaks.keys" | wc -l) of the floor's missed)"
fi

echo "peak RSS: floor $(rss "$floor"), clarolint $(rss "$(quote "${clarolint[@]}")")${gitleaks:+, gitleaks $(rss "$(quote "${leaks[@]}")")}"

if [ "${TIMING:-1}" = 0 ]; then
	echo "commands to time (the binary is kept in $work):"
	echo "  floor:     $floor"
	echo "  clarolint: $(quote "${clarolint[@]}")"
	[ -z "$gitleaks" ] || echo "  gitleaks:  $(quote "${leaks[@]}")"
	exit 0
fi

# Timing: warm, floor and clarolint in turn, RUNS rounds; the median of
# each and the median of the rounds' ratios, which holds when the
# machine's speed drifts during the run.
ms() { local s; s=$(date +%s%N); sh -c "$1" >/dev/null 2>&1 || true; echo $((($(date +%s%N) - s) / 1000000)); }
cl=$(quote "${clarolint[@]}")
ms "$floor" >/dev/null
ms "$cl" >/dev/null
fl=() ct=() ratios=()
for _ in $(seq "$runs"); do
	f=$(ms "$floor") c=$(ms "$cl")
	fl+=("$f") ct+=("$c") ratios+=("$(awk "BEGIN {printf \"%.4f\", $c / $f}")")
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
blobmb=$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' | awk '$1 == "blob" {s += $2} END {print s / 1e6}')
f=$(med "${fl[@]}") c=$(med "${ct[@]}")
echo "median wall over $runs rounds: floor $f ms, clarolint $c ms ($(awk "BEGIN {printf \"%.0f\", $blobmb / ($c / 1000)}") MB/s of blob content)"
echo "clarolint/floor: median of the rounds' ratios $(med "${ratios[@]}") (rounds: ${ratios[*]})"
if [ -n "$gitleaks" ]; then
	g=$(ms "$(quote "${leaks[@]}")")
	echo "gitleaks (one run): $g ms ($(awk "BEGIN {printf \"%.2f\", $g / $f}")x the floor's median)"
fi
