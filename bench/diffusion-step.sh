#!/usr/bin/env bash
# 拡散モデルの ε を予測するネットワークの学習の 1 歩（2 次元のガウス混合、[x, e(t)] 18 列 → H → H → 2、ReLU、
# L_simple、Adam、float64、バッチ 256）の時間を、PyTorch（bench/diffusion_step.py）と与えた Rust のコマンドで
# 同じ実行の中で交互に測り、中央値と比（PyTorch/Rust）を出す。
#
#   cargo build --release -p xtask --example diffusion_step
#   bash bench/diffusion-step.sh target/release/examples/diffusion_step
#   ROUNDS=9 bash bench/diffusion-step.sh target/release/examples/diffusion_step
#   TORCH_ARGS='--hidden 256' bash bench/diffusion-step.sh target/release/examples/diffusion_step --hidden 256
#
# どちらのコマンドも標準出力に `diffusion_step_ns <1 歩の時間の中央値 [ns]>` の行を 1 つ出すこと（ほかの行は読まない）。
# 形（H、バッチ）を両方に同じく渡すのは呼ぶ側の責任である（既定は H 128、バッチ 256）。
#
# 中身は bench/paired-step.sh（vae と diffusion で共通）。環境変数: ROUNDS（交互に走らせる回数、既定 5）、TORCH_ARGS（bench/diffusion_step.py への追加の引数、既定なし）。
# PyTorch は bench/torch-venv.sh で固定した版の venv（${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/torch-venv）を使う。
# スレッドは bench/diffusion_step.py の既定の 2。Rust 側は 64 行以上のミニバッチを 2 つのスレッドで分けて求める。
set -euo pipefail
exec bash "$(dirname "$0")/paired-step.sh" diffusion "$@"
