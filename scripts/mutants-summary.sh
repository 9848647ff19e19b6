#!/usr/bin/env bash
# cargo-mutants の結果（mutants.out/）から、検証索引に載せる要約（Markdown）を作る。
# 見逃した変異は、tests/mutants/equivalent.md に理由つきで載っていれば「等価」として数える。
set -euo pipefail
dir=$1
elapsed=${2:-}
count() { [ -f "$dir/$1.txt" ] && grep -c . "$dir/$1.txt" || echo 0; }
caught=$(count caught); missed=$(count missed); timeout=$(count timeout); unviable=$(count unviable)
equiv=0
killed_later=0
unexplained=()
while IFS= read -r m; do
  [ -z "$m" ] && continue
  if grep -qF -- "\`$m\`" tests/mutants/killed.md 2>/dev/null; then
    killed_later=$((killed_later + 1))
  elif grep -qF -- "\`$m\`" tests/mutants/equivalent.md 2>/dev/null; then
    equiv=$((equiv + 1))
  else
    unexplained+=("$m")
  fi
done < <(cat "$dir/missed.txt" 2>/dev/null || true)
viable=$((caught + missed + timeout))
# 捕まえた割合: 時間切れ（無限ループなど）も検出に数える。等価な変異は分母から除く。
score=$(awk -v c="$((caught + killed_later))" -v t="$timeout" -v v="$viable" -v e="$equiv" 'BEGIN { d = v - e; printf "%.1f", (d > 0 ? 100 * (c + t) / d : 0) }')
echo "- 実行日: $(date +%Y-%m-%d)（cargo-mutants $(grep -oE 'CARGO_MUTANTS_VERSION=[0-9.]+' scripts/tools.sh | cut -d= -f2)、\`bash scripts/mutants.sh\`）"
[ -n "$elapsed" ] && echo "- 所要時間: $((elapsed / 60)) 分（2 コア）"
# 試した変異のファイルごとの数（一部のファイルだけを走らせたときに範囲がわかるように）
files=$(cat "$dir"/{caught,missed,timeout,unviable}.txt 2>/dev/null | sed -E 's/:[0-9]+:[0-9]+:.*//' | sort | uniq -c |
  awk '{ sub(/.*\//, "", $2); printf "%s%s %d", (NR > 1 ? "、" : ""), $2, $1 }')
echo "- 試した変異（ファイルごと）: $files"
echo "- 変異の数: 検出 $caught、時間切れ $timeout、見逃し $missed（うち等価 $equiv、実行後に足したテストで検出 $killed_later）、コンパイル不能 $unviable"
echo "- **検出率: $score %**（(検出 + 実行後の検出 + 時間切れ) / (試せた変異 − 等価な変異)）"
echo
if [ ${#unexplained[@]} -gt 0 ]; then
  echo "説明のない見逃し（テストを足すか、等価である理由を tests/mutants/equivalent.md に書く）:"
  echo
  for m in "${unexplained[@]}"; do echo "- \`$m\`"; done
  echo
fi
echo "等価な変異とその理由は \`tests/mutants/equivalent.md\`、実行後に足したテストで捕まえた変異は \`tests/mutants/killed.md\` にある。"
