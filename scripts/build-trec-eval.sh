#!/usr/bin/env bash
# Builds NIST's trec_eval from a copy of its public source (https://github.com/usnistgov/trec_eval; not a registry
# package, so CI does not build it: the golden fixture it produces is committed). Prints the binary's path.
#   bash scripts/build-trec-eval.sh /path/to/trec_eval-source
set -euo pipefail
src="${1:?usage: bash scripts/build-trec-eval.sh /path/to/trec_eval-source}"
out="$(mktemp -d)/trec_eval-build"
cp -r "$src" "$out"
make -C "$out" >/dev/null
echo "$out/trec_eval"
