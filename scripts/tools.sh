#!/usr/bin/env bash
# 本のビルドに使う道具を、固定した版で入れる（入っていれば何もしない）。
# 使い方: source scripts/tools.sh  （PATH に道具の bin を足す）
# 道具はクローンの外 ~/.cache/diffusion-book/tools/<名前>-<版> に入れるので、
# 新しいクローンでも同じマシンなら入れ直さない。
set -euo pipefail

MDBOOK_VERSION=0.5.3        # mdbook-katex 0.10.0 が組まれた版（0.5.4 だと警告が出る）
MDBOOK_KATEX_VERSION=0.10.0 # KaTeX 0.16.4 で描画する（src/katex/ の CSS・フォントと同じ版）

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

install_crate mdbook "$MDBOOK_VERSION"
install_crate mdbook-katex "$MDBOOK_KATEX_VERSION"
export PATH
