#!/usr/bin/env bash
# 日本語の文章を textlint（固定版）と規則のプリセット textlint-rule-preset-ja-technical-writing で検査する。
# 設定はルートの .textlintrc.json（数式・コード・HTML の目印を除く。規則を変えた理由はそのコメント）。
# 対象は本の原稿 src/**/*.md（生成する検証索引と目次 SUMMARY.md を除く）と README.md・CONTRIBUTING.md。
# 指摘が 1 つでもあれば失敗する。使い方: bash scripts/prose-lint.sh [textlint のオプション]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
install_npm textlint "$TEXTLINT_VERSION" \
  "textlint-rule-preset-ja-technical-writing@$TEXTLINT_PRESET_JA_TECHNICAL_WRITING_VERSION" \
  "textlint-filter-rule-allowlist@$TEXTLINT_FILTER_ALLOWLIST_VERSION" \
  "textlint-filter-rule-comments@$TEXTLINT_FILTER_COMMENTS_VERSION"
modules="$TOOLS_DIR/textlint-$TEXTLINT_VERSION/node_modules"

files=()
while IFS= read -r -d '' f; do
  case "$f" in
    src/SUMMARY.md | src/appendix/verification-index.md) ;; # 目次と、cargo xtask index が生成する索引
    *) files+=("$f") ;;
  esac
done < <(find src -name '*.md' -print0 | sort -z)
files+=(README.md CONTRIBUTING.md)

# 規則・フィルタはクローンの外の node_modules から読む
"$modules/.bin/textlint" --config .textlintrc.json --rules-base-directory "$modules" "$@" "${files[@]}"
echo "textlint: ${#files[@]} ファイルに指摘なし"
