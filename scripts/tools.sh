#!/usr/bin/env bash
# 本のビルドに使う道具を、固定した版で入れる（入っていれば何もしない）。
# 使い方: source scripts/tools.sh  （PATH に道具の bin を足す）
# 道具はクローンの外 ~/.cache/diffusion-book/tools/<名前>-<版> に入れるので、
# 新しいクローンでも同じマシンなら入れ直さない。
set -euo pipefail

MDBOOK_VERSION=0.5.3        # mdbook-katex 0.10.0 が組まれた版（0.5.4 だと警告が出る）
MDBOOK_KATEX_VERSION=0.10.0 # KaTeX 0.16.4 で描画する（src/katex/ の CSS・フォントと同じ版）
PAGEFIND_VERSION=1.6.0      # 日本語を分かち書きして索引する検索（npm パッケージの中にバイナリがある）
LYCHEE_VERSION=0.24.2       # リンク検査（scripts/link-check.sh だけが入れる。初回のビルドに数分）
PLAYWRIGHT_CORE_VERSION=1.65.1 # ブラウザ検査（scripts/browser-check.sh だけが入れる）。ブラウザ本体は Debian の chromium
CARGO_MUTANTS_VERSION=27.1.0  # 変異テスト（scripts/mutants.sh だけが入れる。CI では走らせない）
TEXTLINT_VERSION=15.8.0      # 日本語の文章の検査（scripts/prose-lint.sh だけが入れる）。以下の 3 つも同じ場所に入れる
TEXTLINT_PRESET_JA_TECHNICAL_WRITING_VERSION=12.0.2 # 技術文書向けの規則のプリセット
TEXTLINT_FILTER_ALLOWLIST_VERSION=4.0.0 # 数式 $…$・$$…$$ の中の指摘を捨てるフィルタ
TEXTLINT_FILTER_COMMENTS_VERSION=1.3.0  # <!-- textlint-disable --> で箇所ごとに外すフィルタ

WASM_BINDGEN_VERSION=0.2.130 # 動かせる図の JS の糊（crates/web の wasm-bindgen と同じ版。scripts/build-live.sh）

TOOLS_DIR="${DIFFUSION_BOOK_TOOLS:-$HOME/.cache/diffusion-book/tools}"

install_crate() { # 名前 版
  local name=$1 version=$2 root="$TOOLS_DIR/$1-$2"
  if [ ! -x "$root/bin/$name" ]; then
    echo "== $name $version を $root に入れる" >&2
    local t0=$SECONDS
    cargo install --locked --quiet --root "$root" "$name" --version "$version" >&2
    echo "== $name $version: $((SECONDS - t0)) 秒" >&2
  fi
  PATH="$root/bin:$PATH"
}

# wasm-bindgen-cli は --locked で入れられない（その Cargo.lock が固定する版の依存がレジストリの写しにない）。
# 版そのものは固定し、依存は cargo が解く。初回は C コンパイラで 2 分ほど
install_wasm_bindgen() {
  local root="$TOOLS_DIR/wasm-bindgen-cli-$WASM_BINDGEN_VERSION"
  if [ ! -x "$root/bin/wasm-bindgen" ]; then
    echo "== wasm-bindgen-cli $WASM_BINDGEN_VERSION を $root に入れる" >&2
    local t0=$SECONDS
    cargo install --quiet --root "$root" wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >&2
    echo "== wasm-bindgen-cli $WASM_BINDGEN_VERSION: $((SECONDS - t0)) 秒" >&2
  fi
  PATH="$root/bin:$PATH"
}

# npm パッケージを固定版で入れる。同じ場所に一緒に入れるパッケージ（名前@版）を後ろに並べられる
# （textlint の規則やフィルタ）。npm install --no-save は並べなかったパッケージを消すので、1 つでも
# 欠けるか版が違えば、すべてを 1 度に入れ直す。
install_npm() { # 名前 版 [追加の名前@版 ...]
  local name=$1 version=$2 root="$TOOLS_DIR/$1-$2"
  shift 2
  local ok=1 spec
  for spec in "$name@$version" "$@"; do
    grep -qs "\"version\": \"${spec##*@}\"" "$root/node_modules/${spec%@*}/package.json" || ok=0
  done
  if [ "$ok" = 0 ]; then
    echo "== $name $version $*（npm）を $root に入れる" >&2
    mkdir -p "$root"
    (cd "$root" && npm install --no-audit --no-fund --silent --no-save "$name@$version" "$@" >&2)
  fi
}

install_crate mdbook "$MDBOOK_VERSION"
install_crate mdbook-katex "$MDBOOK_KATEX_VERSION"
install_npm pagefind "$PAGEFIND_VERSION"
install_wasm_bindgen
# npm パッケージの中の、この OS 用のバイナリ（日本語の分かち書きは extended 版にある）
PAGEFIND=$(ls "$TOOLS_DIR/pagefind-$PAGEFIND_VERSION"/node_modules/@pagefind/*/bin/pagefind_extended 2>/dev/null | head -n 1)
[ -x "$PAGEFIND" ] || PAGEFIND="$TOOLS_DIR/pagefind-$PAGEFIND_VERSION/node_modules/.bin/pagefind"
export PATH PAGEFIND
