# 固定した版の PyTorch（CPU で使う）の venv を作り（なければ）、`torch_py`（venv の python）と `torch_version` を決める。
#
#   bash bench/torch-venv.sh       # 作って（なければ）版を表示する
#   source bench/torch-venv.sh     # bench/*.sh から: torch_py・torch_version を決める（版の表示は標準エラー）
#
# venv は ${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/torch-venv。下の torch_pins で全部の版を `==` で固定する。
# 一覧を変えると、次の実行で入れ直す（venv の pins.txt と比べる）。
#
# PyPI の Linux x86_64 の torch は CUDA 版の wheel だけで（CPU 専用の wheel は PyPI の外の index にしかない）、
# libtorch_cuda.so が CUDA のライブラリ（nvidia-* などの wheel）に動的にリンクしている。そのため CPU だけで使うときも
# それらが要り、`pip install --no-deps torch` では `import torch` が失敗する。初回は PyPI から約 2.8 GB を落とし
# （2 コアのマシンで約 1 分）、入れるのに約 2 分かかる。venv は約 5.3 GB。GPU のないマシンでは CPU（MKL）で動く。
# pip のキャッシュ（~/.cache/pip）には残さない（--no-cache-dir）。

torch_venv="${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-book/torch-venv"
torch_py="$torch_venv/bin/python"
# torch 2.15.0 が要るものすべて（pip freeze の結果）。numpy は bench/requirements.txt と同じ版
# （torch は numpy がないと import のときに警告を出す）。setuptools は torch が >= 77.0.3 を要る。
torch_pins='torch==2.15.0
numpy==2.4.6
setuptools==84.2.1
cuda-bindings==13.5.0
cuda-pathfinder==1.9.1
cuda-toolkit==13.2.2
filelock==4.3.1
fsspec==2026.9.0
Jinja2==3.1.6
MarkupSafe==3.0.4
mpmath==1.3.0
networkx==3.6.1
nvidia-cublas==13.4.1.3
nvidia-cuda-cccl==13.3.5.0.6
nvidia-cuda-cupti==13.2.86
nvidia-cuda-nvrtc==13.2.86
nvidia-cuda-runtime==13.2.86
nvidia-cudnn-cu13==9.26.0.51
nvidia-cufft==12.2.0.57
nvidia-cufile==1.17.1.22
nvidia-cusolver==12.2.0.11
nvidia-cusparse==12.7.10.12
nvidia-cusparselt-cu13==0.8.1
nvidia-nccl-cu13==2.30.7
nvidia-nvjitlink==13.5.37
nvidia-nvshmem-cu13==3.7.2
nvidia-nvtx==13.2.86
sympy==1.14.0
triton==3.9.0
typing_extensions==4.16.0'

_torch_venv_versions() {
  "$torch_py" -c 'import platform, numpy, torch; print(torch.__version__, numpy.__version__, platform.python_version())' 2>/dev/null
}

_torch_venv_setup() {
  local versions
  if [ ! -x "$torch_py" ]; then
    python3 -m venv "$torch_venv" || return 1
  fi
  versions=$(_torch_venv_versions || true)
  if [ -z "$versions" ] || [ "$(cat "$torch_venv/pins.txt" 2>/dev/null)" != "$torch_pins" ]; then
    printf '%s\n' "$torch_pins" >"$torch_venv/requirements.txt"
    "$torch_py" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
      -r "$torch_venv/requirements.txt" || return 1
    printf '%s\n' "$torch_pins" >"$torch_venv/pins.txt"
    versions=$(_torch_venv_versions) || return 1
  fi
  read -r torch_version torch_numpy_version torch_python_version <<<"$versions"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  # 実行されたとき
  set -euo pipefail
  _torch_venv_setup || { echo "torch の venv を作れなかった: $torch_venv" >&2; exit 1; }
  echo "torch $torch_version, numpy $torch_numpy_version, python $torch_python_version ($torch_venv)"
else
  # source されたとき
  if ! _torch_venv_setup; then
    echo "torch の venv を作れなかった: $torch_venv" >&2
    return 1
  fi
  echo "torch $torch_version, numpy $torch_numpy_version, python $torch_python_version ($torch_venv)" >&2
fi
