"""MLP の学習の 1 歩（前向き・平均二乗誤差・逆伝播・Adam、float64）の時間を、PyTorch の利用者がふつうに書く形
（nn.Sequential、nn.MSELoss、torch.optim.Adam）で測る。CPU だけ、スレッドは既定で 2。

    bash bench/torch-venv.sh                                    # 固定した版の venv（初回だけ PyPI から約 2.8 GB）
    ~/.cache/diffusion-book/torch-venv/bin/python bench/mlp_step.py               # 64 → 256 → 256 → 64、バッチ 128
    ~/.cache/diffusion-book/torch-venv/bin/python bench/mlp_step.py --batch 32
    ~/.cache/diffusion-book/torch-venv/bin/python bench/mlp_step.py --sizes 784,512,32 --batch 100

ネットワークは sizes の隣り合う組ごとに nn.Linear（重みと偏り）、隠れ層の後に nn.Tanh、出力は恒等。
損失は nn.MSELoss（全要素の平均）。Adam は lr 1e-3、betas (0.9, 0.999)、eps 1e-8（torch.optim.Adam の既定）。
データは samples 行（既定 4096）の入力 x と目標 y で、どちらも独立な標準正規乱数（torch.manual_seed(seed) の後に
x、y の順に torch.randn）。前もって batch 行ずつに切り（x.split(batch)）、第 k 歩は k mod (samples / batch) 番目の
バッチを使う。1 歩は `opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); opt.step()`。
目標は入力と無関係な雑音で、目標の数（samples × 出力の幅）をパラメータの数より多くしてあるので（既定の形で
262 144 > 98 880）、丸覚えできず損失は 0 に近づかない（1 つのバッチを繰り返すと丸覚えして損失が 0 近くまで下がり、
学習のふつうの状態ではなくなる）。ほかの形で使うときは --samples をそのように選ぶ。

warmup 歩を走らせた後、steps 歩の時間（time.perf_counter_ns）を repeats 回測り、1 歩あたりの時間の中央値を出す。
出力は 1 行に 1 つ `名前 値…`（機械で読む）。主な値は `mlp_step_ns <中央値>`。

注意: 2 スレッドの OpenMP（MKL）は、ほかのプロセスが 1 コアを使っていると、待ち合わせのたびに止まり 1 歩が数倍から
10 倍以上遅くなる（2 コアのマシンで観測）。静かなマシンで測り、比べる相手と交互に走らせる。
"""

import argparse
import os
import statistics
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch", type=int, default=128, help="バッチの大きさ（既定 128）")
    p.add_argument("--sizes", default="64,256,256,64", help="層の幅をコンマで（既定 64,256,256,64）")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads（既定 2）")
    p.add_argument("--warmup", type=int, default=50, help="測る前の歩数（既定 50）")
    p.add_argument("--steps", type=int, default=200, help="1 回に測る歩数（既定 200）")
    p.add_argument("--repeats", type=int, default=7, help="測る回数（既定 7）")
    p.add_argument("--samples", type=int, default=4096, help="データの行数、batch の倍数（既定 4096）")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--adam",
        choices=("default", "foreach", "fused"),
        default="default",
        help="torch.optim.Adam の実装（既定は何も指定しない。CPU では 1 テンソルずつの for ループ）",
    )
    args = p.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        p.error("--sizes は整数をコンマで区切る（例 64,256,256,64）")
    if len(args.sizes) < 2 or min(args.sizes) < 1:
        p.error("--sizes は 1 以上の幅を 2 つ以上")
    for name in ("batch", "threads", "steps", "repeats"):
        if getattr(args, name) < 1:
            p.error(f"--{name} は 1 以上")
    if args.samples < args.batch or args.samples % args.batch:
        p.error("--samples は --batch の倍数")
    if args.warmup < 0:
        p.error("--warmup は 0 以上")
    return args


def main(argv):
    args = parse_args(argv)
    # OpenMP・MKL のスレッドの数は import の前に決める（set_num_threads と同じ値）
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(args.seed)

    sizes = args.sizes
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    model = nn.Sequential(*layers)
    loss_fn = nn.MSELoss()
    impl = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}[args.adam]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, **impl)

    data_x = torch.randn(args.samples, sizes[0])
    data_y = torch.randn(args.samples, sizes[-1])
    batches = list(zip(data_x.split(args.batch), data_y.split(args.batch)))

    def train_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def full_loss():
        with torch.no_grad():
            return loss_fn(model(data_x), data_y).item()

    loss_start = full_loss()
    k = 0
    for _ in range(args.warmup):
        train_step(*batches[k])
        k = (k + 1) % len(batches)
    runs = []
    for _ in range(args.repeats):
        t0 = time.perf_counter_ns()
        for _ in range(args.steps):
            train_step(*batches[k])
            k = (k + 1) % len(batches)
        runs.append((time.perf_counter_ns() - t0) / args.steps)
    loss_end = full_loss()

    n_params = sum(p.numel() for p in model.parameters())
    print(f"mlp_step_ns {statistics.median(runs):.0f}")
    print("mlp_step_ns_runs " + " ".join(f"{r:.0f}" for r in runs))
    print(f"sizes {','.join(map(str, sizes))}")
    print(f"batch {args.batch}")
    print(f"samples {args.samples}")
    print(f"params {n_params}")
    print(f"steps {args.warmup} {args.steps} {args.repeats}")
    print(f"threads {torch.get_num_threads()}")
    print(f"adam {args.adam}")
    print(f"loss_start {loss_start:.17g}")
    print(f"loss_end {loss_end:.17g}")
    print(f"torch {torch.__version__} {torch.get_default_dtype()}")


if __name__ == "__main__":
    main(sys.argv[1:])
