#!/usr/bin/env bash
# 読むためのコマンド: 道具を（なければ）入れて、本を http://localhost:3000 で開く。
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
exec mdbook serve --port "${PORT:-3000}" "$@"
