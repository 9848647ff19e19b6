#!/usr/bin/env bash
# VAE の学習の 1 歩（2 値の digits、64 → H → H → 2d / d → H → H → 64、負の ELBO、Adam、float64）の時間を、
# PyTorch（bench/vae_step.py）と与えた Rust のコマンドで同じ実行の中で交互に測り、中央値と比（PyTorch/Rust）を出す。
#
#   bash bench/vae-step.sh <Rust のコマンド…>
#   ROUNDS=9 bash bench/vae-step.sh target/release/examples/vae_step
#   TORCH_ARGS='--hidden 256 --latent 8' bash bench/vae-step.sh target/release/examples/vae_step --hidden 256 --latent 8
#
# どちらのコマンドも標準出力に `vae_step_ns <1 歩の時間の中央値 [ns]>` の行を 1 つ出すこと（ほかの行は読まない）。
# 形（H、d、バッチ）は両方に同じものを渡すのは呼ぶ側の責任である（PyTorch 側は TORCH_ARGS をそのまま
# bench/vae_step.py に渡す。既定は H 128、d 2、バッチ 128）。Rust のコマンドは与えたとおりに（引数を分けたまま）
# 実行する。cargo run で渡すとビルドの時間は測らない（時間はコマンドが自分で測った値）が、先にビルドしておく方がよい。
#
# 中身は bench/paired-step.sh（vae と diffusion で共通）。環境変数: ROUNDS（交互に走らせる回数、既定 5）、TORCH_ARGS（bench/vae_step.py への追加の引数、既定なし）。
# PyTorch は bench/torch-venv.sh で固定した版の venv（${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/torch-venv、
# 初回だけ PyPI から約 2.8 GB）を使う。スレッドは bench/vae_step.py の既定の 2。Rust 側のスレッドは Rust のコマンドに任せる。
# 使うのは bash と python（venv の python）だけである。
set -euo pipefail
exec bash "$(dirname "$0")/paired-step.sh" vae "$@"
