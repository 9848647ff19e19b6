# bench/*.sh が `source` する: 固定した版の NumPy を venv に入れ（なければ）、`py`（venv の python）と
# `numpy_version` を決める。版は bench/requirements.txt の `numpy==…` の行。呼ぶ側はリポジトリの根で実行する。
venv="${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/bench-venv"
py="$venv/bin/python"
pin=$(sed -n 's/^numpy==\([^ ]*\).*/\1/p' bench/requirements.txt)
if [ -z "$pin" ]; then
  echo "bench/requirements.txt に numpy==版 の行がない" >&2
  exit 1
fi
if [ ! -x "$py" ]; then
  python3 -m venv "$venv"
fi
if [ "$("$py" -c 'import numpy; print(numpy.__version__)' 2>/dev/null || true)" != "$pin" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
fi
numpy_version=$("$py" -c 'import numpy; print(numpy.__version__)')

# release ビルドの例のバイナリの場所（cargo の target ディレクトリの設定に従う）
example_bin() {
  local dir
  dir=$(cargo metadata --no-deps --format-version 1 |
    "$py" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  echo "$dir/release/examples/$1"
}
