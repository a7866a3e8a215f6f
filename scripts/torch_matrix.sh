#!/usr/bin/env bash
# The torch-version matrix (docs/semantics.md sections 10.3, 10.4): ONE wheel,
# built once, installed into fresh virtual environments with the oldest torch we
# promise and the newest on PyPI, and the Python suite run in each against the
# installed wheel (never the source tree); then the CPU-only wheel, once.
#
#   bash scripts/torch_matrix.sh          (CI runs it from scripts/test.sh)
#
#   torch 2.10.0, Python 3.11   the full suite
#   newest torch, Python 3.12   a smoke subset: runtime checks, C++ deploy, ops
#   CPU-only wheel (0.1.0+cpu)  in the first environment: the runtime checks
#
# Wheels of torch and its dependencies are kept in a wheelhouse outside the
# clone (SSRL_ECG_WHEELHOUSE, default ~/.cache/ssrl_ecg/wheelhouse): pip
# download skips files already there, so only the first run downloads torch.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-.venv/bin/python}
WORK=${SSRL_ECG_MATRIX_DIR:-$ROOT/.venvs}
WHEELS=${SSRL_ECG_WHEELHOUSE:-$HOME/.cache/ssrl_ecg/wheelhouse}
OLDEST=2.10.0
mkdir -p "$WORK" "$WHEELS"
start=$SECONDS

python_for() {  # the interpreter for a minor version: pyenv's, else PATH's, else PY's
  local v=$1
  for cand in /root/.pyenv/versions/"$v".*/bin/python"$v" "$(command -v "python$v" || true)"; do
    [ -x "$cand" ] && "$cand" -c "import venv" 2>/dev/null && { echo "$cand"; return; }
  done
  "$PY" -c "import sys; print(sys.executable)"
}

echo "== the wheel, built once"
rm -rf "$WORK/dist" "$WORK/dist-cpu"
bash scripts/build_wheel.sh "$WORK/dist"
SSRL_ECG_CPU_ONLY=1 bash scripts/build_wheel.sh "$WORK/dist-cpu"
wheel=$(ls "$WORK"/dist/ssrl_ecg-*.whl)
cpu_wheel=$(ls "$WORK"/dist-cpu/ssrl_ecg-*.whl)

# env NAME PYTHON TORCH_SPEC: a fresh venv with torch and the test tools, and the wheel
make_env() {
  local name=$1 python=$2 spec=$3 venv="$WORK/$1"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip download -q -d "$WHEELS" "$spec" numpy tqdm pytest scikit-learn
  "$venv/bin/python" -m pip install -q --no-index --find-links "$WHEELS" "$spec" numpy tqdm \
    pytest scikit-learn
}

# run NAME WHEEL [pytest args]: installs WHEEL and runs pytest from outside the tree
run_suite() {
  local name=$1 whl=$2 venv="$WORK/$1"; shift 2
  "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$whl"
  local out; out=$(mktemp -d)
  (
    cd "$out"
    unset SSRL_ECG_OPS_LIBRARY PYTHONPATH
    "$venv/bin/python" - <<PYEOF
import sys, torch, ssrl_ecg, sysconfig
assert ssrl_ecg.__file__.startswith(sysconfig.get_paths()["purelib"]) or \
    ssrl_ecg.__file__.startswith(sysconfig.get_paths()["platlib"]), ssrl_ecg.__file__
print(f"   {'$name'}: Python {sys.version.split()[0]}, torch {torch.__version__}, ssrl_ecg from {ssrl_ecg.__file__}")
PYEOF
    "$venv/bin/python" -m pytest -p no:cacheprovider --rootdir="$ROOT" -q -rs "$@"
  )
  rm -rf "$out"
}

echo "== torch $OLDEST (Python 3.11): the full suite"
make_env torch-oldest "$(python_for 3.11)" "torch==$OLDEST"
run_suite torch-oldest "$wheel" "$ROOT/tests/python"

echo "== the newest torch (Python 3.12): a smoke subset"
make_env torch-newest "$(python_for 3.12)" "torch"
run_suite torch-newest "$wheel" "$ROOT/tests/python/test_deploy_runtime.py" \
  "$ROOT/tests/python/test_deploy_cpp.py" "$ROOT/tests/python/test_ops_block_mask.py" \
  "$ROOT/tests/python/test_ops_scores.py" "$ROOT/tests/python/test_masking.py"

echo "== the CPU-only wheel (torch $OLDEST)"
run_suite torch-oldest "$cpu_wheel" "$ROOT/tests/python/test_deploy_runtime.py" \
  "$ROOT/tests/python/test_ops_scores.py"

echo "== torch matrix done in $((SECONDS - start)) s"
