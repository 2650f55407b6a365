#!/usr/bin/env bash
# After `copier update`: fail loudly while merge conflicts remain (copier itself exits 0).
set -euo pipefail
unmerged=$(git ls-files -u | awk '{print $4}' | sort -u)
markers=$(git grep -lE '^(<<<<<<<|>>>>>>>) ' -- . ':!*.rej' 2>/dev/null || true)
rejects=$(git ls-files --others --exclude-standard -- '*.rej')
if [[ -n "$unmerged$markers$rejects" ]]; then
  echo "copier update left conflicts; resolve them, then commit:" >&2
  printf '%s\n' $unmerged $markers $rejects | sort -u | sed 's/^/  /' >&2
  exit 1
fi
echo "update applied cleanly"
