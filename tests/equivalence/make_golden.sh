#!/bin/sh
# Regenerates every golden file of tests/equivalence from the bbvi-ppl
# binary given, running each case of cases.txt from the repository's top
# directory. Only for a change that is meant to move results: its commit
# says so and why (README.md in this folder).
#
#   tests/equivalence/make_golden.sh build/tools/bbvi-ppl
set -eu

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 BBVI_PPL_BINARY" >&2
  exit 2
fi
binary=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
golden=tests/equivalence/golden
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

rm -rf "$golden"
mkdir -p "$golden"
cases=0
# Each line: a name, then the arguments (no quoting: no argument has a blank).
while read -r name arguments; do
  case "$name" in '' | '#'*) continue ;; esac
  cases=$((cases + 1))
  mkdir -p "$golden/$(dirname "$name")"
  status=0
  # shellcheck disable=SC2086  # the arguments split at blanks, as the test splits them
  "$binary" $arguments --output - >"$scratch/out" 2>"$scratch/err" </dev/null || status=$?
  if [ "$status" -eq 0 ]; then
    # "seconds" is the fit's wall-clock time, the one field that varies from run to run.
    python3 -c 'import json, sys
result = json.load(open(sys.argv[1]))
del result["seconds"]
print(json.dumps(result, indent=2, ensure_ascii=False))' "$scratch/out" >"$scratch/json"
    kept="$golden/$name.json" made="$scratch/json"
  else
    printf '%s\n' "$status" >"$scratch/status"
    kept="$golden/$name.stderr" made="$scratch/err"
  fi
  # A name given again must give the same result.
  if [ -e "$golden/$name.json" ] || [ -e "$golden/$name.stderr" ]; then
    if [ -e "$kept" ] && cmp -s "$kept" "$made" &&
      { [ "$status" -eq 0 ] || cmp -s "$golden/$name.status" "$scratch/status"; }; then
      continue
    fi
    echo "$0: the lines named $name disagree" >&2
    exit 1
  fi
  cp "$made" "$kept"
  if [ "$status" -ne 0 ]; then cp "$scratch/status" "$golden/$name.status"; fi
done <tests/equivalence/cases.txt
echo "$0: $cases cases, golden files in $golden"
