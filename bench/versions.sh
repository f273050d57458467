#!/usr/bin/env bash
# Benchmark: building many versions of a handbook versus building one.
#
# Generates a git repository holding a handbook of PAGES pages (default
# 1000) with VERSIONS tagged editions (default 10); each edition changes
# about CHANGED percent of the pages (default 5), adds one page, renames one
# and deletes one (a page has PARTS sections, default 4: about 2 KB; 12
# makes the 6.5 KB pages of bench/gen.rs). Then it times `opsbook build` of the working tree alone
# (no `[versions]`) and of every edition (`[versions] tags = "v*"`), each the
# best of RUNS runs (default 3), and prints the ratio.
#
#   bench/versions.sh                      # uses target/release/opsbook
#   PAGES=200 VERSIONS=5 bench/versions.sh
#   BENCH_DIR=/dev/shm bench/versions.sh   # on tmpfs: no disk noise
set -euo pipefail
cd "$(dirname "$0")/.."

PAGES=${PAGES:-1000}
VERSIONS=${VERSIONS:-10}
CHANGED=${CHANGED:-5}
PARTS=${PARTS:-4}
RUNS=${RUNS:-3}
BIN=${OPSBOOK:-target/release/opsbook}
if [[ ! -x $BIN ]]; then
  cargo build --release --quiet
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

WORK=$(mktemp -d -p "${BENCH_DIR:-${TMPDIR:-/tmp}}")
if [[ -n ${BENCH_KEEP:-} ]]; then echo "keeping $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi
SITE=$WORK/handbook
mkdir -p "$SITE/content"
cd "$SITE"
git init -q -b main
git config user.name "Bench Bot"
git config user.email "bench@example.com"

SECTIONS=20
page_path() { # index → path of the page inside content/
  local i=$1
  echo "s$((i % SECTIONS))/page-$i.md"
}

write_page() { # index, edition
  local i=$1 ed=$2 path
  path=content/$(page_path "$i")
  mkdir -p "$(dirname "$path")"
  local next=$(((i + 1) % PAGES)) prev=$(((i + PAGES - 1) % PAGES))
  {
    printf '+++\ntitle = "运营手册第 %d 篇 Page %d"\nowner = "团队 %d"\ntags = ["t%d", "增长"]\n+++\n\n' "$i" "$i" $((i % 7)) $((i % 13))
    printf '本页说明第 %d 个流程的目标、步骤与复盘方法。This playbook covers step %d of the cycle (edition %d).\n\n' "$i" "$i" "$ed"
    for ((h = 1; h <= PARTS; h++)); do
      printf '## 第 %d 部分 Part %d\n\n' "$h" "$h"
      printf '每周一上午对齐目标，周五复盘数据。Align goals on Monday, review the numbers on Friday; see [下一篇](/%s) and [上一篇](/%s#第-1-部分-part-1).\n\n' \
        "$(page_path "$next")" "$(page_path "$prev")"
      printf -- '- 明确负责人与截止日期\n- Track **conversion** and *retention* weekly\n- 记录风险：`risk-%d`\n\n' "$h"
      printf '| 指标 | 目标 | 当前 |\n| --- | ---: | ---: |\n| DAU | %d | %d |\n| 留存 D7 | 35%% | %d%% |\n\n' $((1000 + i)) $((900 + i)) $((20 + h))
      printf '> [!TIP]\n> 先试点，再推广。Pilot first, then roll out.\n\n'
    done
    if ((i % 5 == 0)); then
      printf '```toml\n[campaign]\nname = "spring-%d"\nbudget = %d\n```\n\n' "$i" $((i * 100))
    fi
    printf '复盘要点：数据、假设、结论、下一步。Review notes for edition %d.\n' "$ed"
  } >"$path"
}

cat >opsbook.toml <<TOML
title = "Bench handbook"
language = "zh-CN"
TOML
printf '+++\ntitle = "Bench handbook"\n+++\n\n# Bench handbook\n\nStart here.\n' >content/_index.md
for ((i = 0; i < PAGES; i++)); do
  write_page "$i" 1
done
git add -A && git commit -q -m "edition 1" && git tag v1.0.0
per_version=$((PAGES * CHANGED / 100))
for ((v = 2; v <= VERSIONS; v++)); do
  for ((k = 0; k < per_version; k++)); do
    write_page $(((v * 7919 + k * 104729) % PAGES)) "$v"
  done
  write_page $((PAGES + v)) "$v" # a new page
  victim=content/$(page_path $(((v * 31) % PAGES)))
  [[ -f $victim ]] && git mv -f "$victim" "${victim%.md}-renamed.md"
  gone=content/$(page_path $(((v * 57 + 3) % PAGES)))
  [[ -f $gone ]] && git rm -q "$gone"
  git add -A && git commit -q -m "edition $v" && git tag "v1.$((v - 1)).0"
done

best() { # command… → "real cpu" seconds of the run with the best real time
  # With SCRATCH set to an output folder, it and its hidden siblings are
  # deleted before each run (not timed).
  local best_real="" best_cpu="" t real cpu
  for ((r = 0; r < RUNS; r++)); do
    if [[ -n ${SCRATCH:-} ]]; then
      rm -rf "$SCRATCH" "$(dirname "$SCRATCH")/.$(basename "$SCRATCH").opsbook-"*
    fi
    t=$({ TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1) || { "$@"; exit 1; }
    read -r real user sys <<<"$t"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
    if [[ -z $best_real ]] || awk -v a="$real" -v b="$best_real" 'BEGIN { exit !(a < b) }'; then
      best_real=$real
      best_cpu=$cpu
    fi
  done
  echo "$best_real $best_cpu"
}

read -r one one_cpu <<<"$(best "$BIN" build --quiet --force --root "$SITE" --output "$WORK/one")"
read -r one0 one0_cpu <<<"$(SCRATCH=$WORK/one0 best "$BIN" build --quiet --root "$SITE" --output "$WORK/one0")"
printf '\n[versions]\ntags = "v*"\n' >>opsbook.toml
read -r all all_cpu <<<"$(best "$BIN" build --quiet --force --root "$SITE" --output "$WORK/all")"
read -r all0 all0_cpu <<<"$(SCRATCH=$WORK/all0 best "$BIN" build --quiet --root "$SITE" --output "$WORK/all0")"
count=$(grep -o '"name"' "$WORK/all/versions.json" | wc -l || true)
printf 'pages: %d, editions: %d tagged + latest (%s in versions.json), changed per edition: %d%%, in %s\n' \
  "$PAGES" "$VERSIONS" "$count" "$CHANGED" "$(df --output=fstype "$WORK" 2>/dev/null | tail -1)"
awk -v one="$one" -v all="$all" -v oc="$one_cpu" -v ac="$all_cpu" \
  -v one0="$one0" -v all0="$all0" -v oc0="$one0_cpu" -v ac0="$all0_cpu" 'BEGIN {
  printf "over the previous output:\n"
  printf "  one version:  %.2fs wall, %.2fs CPU\n", one, oc
  printf "  all versions: %.2fs wall, %.2fs CPU\n", all, ac
  printf "  ratio: %.2fx wall, %.2fx CPU\n", all / one, ac / oc
  printf "from scratch:\n"
  printf "  one version:  %.2fs wall, %.2fs CPU\n", one0, oc0
  printf "  all versions: %.2fs wall, %.2fs CPU\n", all0, ac0
  printf "  ratio: %.2fx wall, %.2fx CPU\n", all0 / one0, ac0 / oc0
}'
