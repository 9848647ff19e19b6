"""拡散モデル（DDPM）の ε を予測するネットワークの学習の 1 歩（時刻の埋め込み・前向きの過程・損失・逆伝播・Adam、float64）の
時間を、PyTorch の利用者がふつうに書く形（nn.Sequential、torch.optim.Adam）で測る。CPU だけ、スレッドは既定で 2。

    bash bench/torch-venv.sh                                                    # 固定した版の venv（初回だけ PyPI から約 2.8 GB）
    ~/.cache/diffusion-book/torch-venv/bin/python bench/diffusion_step.py       # H 128、バッチ 256、500 歩を測る
    bash bench/diffusion-step.sh <Rust のコマンド…>                               # Rust の実装と交互に測って比べる

データは第 10 章の 2 次元のガウス混合（crates/xtask/src/runs_diffusion.rs の mixture と同じ: 半径 2 の円の上の 6 成分、
角度 90° + 60° k、重み 0.25, 0.2, 0.15, 0.15, 0.15, 0.1、分散は偶数番目 (0.04, 0.04)、奇数番目 (0.09, 0.02)）から
torch の乱数で引いた 20000 点（点の値は Rust 版と違うが、時間には関係しない）。

モデル（float64）: nn.Sequential(Linear(2 + 2K, H), ReLU, Linear(H, H), ReLU, Linear(H, 2))、K = 8。時刻の埋め込みは
e_k(t) = sin(ω_k t)、e_{K+k}(t) = cos(ω_k t)、ω_k = π 2^{k−1} / T（T = 1000）で、Rust 版と同じく t = 1..T の表を前もって作り、
行を引く（table[t − 1]）。予定は β_t を 1e-4 から 0.02 まで等間隔、ᾱ_t = Π (1 − β_s)。

1 歩:
  1. 次のミニバッチ（batch 行）を取る（エポックごとに torch.randperm で並べ替え、端数は捨てる）
  2. t ~ U{1, …, T}（torch.randint）、ε ~ N(0, I)（torch.randn_like）、x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε
  3. 損失 (1/B) Σ_b ‖ε_b − ε_θ([x_t, e(t)])‖²（= 2 × F.mse_loss の平均。ここでは ((ε − 出力)²).sum(1).mean()）
  4. opt.zero_grad(); loss.backward(); opt.step()。Adam は lr 1e-3、betas (0.9, 0.999)、eps 1e-8

warmup 歩を走らせた後、steps 歩のそれぞれを time.perf_counter_ns で測り（1〜4 のすべて。loss.item() は外）、中央値を出す。
標準出力に `diffusion_step_ns <中央値>` と、形などを 1 行に 1 つ出す。標準エラーに最後の 50 歩の損失の平均。
"""

import argparse
import math
import os
import statistics
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    for name in ("hidden", "batch", "threads", "steps"):
        if getattr(args, name) < 1:
            p.error(f"--{name} は 1 以上")
    return args


def main(argv):
    args = parse_args(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(args.seed)

    T, K, D, N = 1000, 8, 2, 20000
    # データ
    weights = torch.tensor([0.25, 0.2, 0.15, 0.15, 0.15, 0.1])
    ang = math.pi / 2 + math.pi / 3 * torch.arange(6, dtype=torch.float64)
    means = 2.0 * torch.stack([ang.cos(), ang.sin()], dim=1)
    var = torch.tensor([[0.04, 0.04] if k % 2 == 0 else [0.09, 0.02] for k in range(6)])
    comp = torch.multinomial(weights, N, replacement=True)
    data = means[comp] + var[comp].sqrt() * torch.randn(N, D)
    # 予定と埋め込みの表
    beta = torch.linspace(1e-4, 0.02, T)
    alpha_bar = torch.cumprod(1 - beta, 0)
    sqrt_ab, sqrt_1mab = alpha_bar.sqrt(), (1 - alpha_bar).sqrt()
    omega = math.pi * 2.0 ** torch.arange(K, dtype=torch.float64) / T
    tt = torch.arange(1, T + 1, dtype=torch.float64)[:, None] * omega[None, :]
    table = torch.cat([tt.sin(), tt.cos()], dim=1)

    model = nn.Sequential(
        nn.Linear(D + 2 * K, args.hidden), nn.ReLU(), nn.Linear(args.hidden, args.hidden), nn.ReLU(), nn.Linear(args.hidden, D)
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    steps_per_epoch = N // args.batch
    state = {"perm": None, "k": steps_per_epoch}

    def next_batch():
        if state["k"] == steps_per_epoch:
            state["perm"] = torch.randperm(N)
            state["k"] = 0
        k = state["k"]
        state["k"] = k + 1
        return data[state["perm"][k * args.batch : (k + 1) * args.batch]]

    def train_step():
        x0 = next_batch()
        t = torch.randint(0, T, (x0.shape[0],))  # t − 1
        eps = torch.randn_like(x0)
        xt = sqrt_ab[t, None] * x0 + sqrt_1mab[t, None] * eps
        out = model(torch.cat([xt, table[t]], dim=1))
        loss = ((eps - out) ** 2).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    for _ in range(args.warmup):
        train_step()
    times, losses = [], []
    for _ in range(args.steps):
        t0 = time.perf_counter_ns()
        loss = train_step()
        times.append(time.perf_counter_ns() - t0)
        losses.append(loss.item())
    print(f"diffusion_step_ns {statistics.median(times):.0f}")
    print(f"hidden {args.hidden}")
    print(f"batch {args.batch}")
    print(f"params {sum(p.numel() for p in model.parameters())}")
    print(f"threads {torch.get_num_threads()}")
    print(f"torch {torch.__version__} {torch.get_default_dtype()}")
    last = losses[-50:]
    print(f"最後の {len(last)} 歩の損失の平均 {statistics.fmean(last):.4f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
