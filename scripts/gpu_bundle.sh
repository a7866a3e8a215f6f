#!/usr/bin/env bash
# gpu_bundle.sh: builds, on this machine, everything the GPU check needs, into
# one relocatable folder that the device tool carries (64 MiB limit; this is a
# few MiB) to a GPU machine that has no GoogleTest and no network:
#
#   bundle/lib/         libssrl_ecg.so.*, and the libcudart / libgomp the
#                       binaries were linked against (LD_LIBRARY_PATH there)
#   bundle/tests/       every GoogleTest binary the CMake project defines
#                       (GoogleTest built from Debian's /usr/src/googletest)
#   bundle/suites.txt   one line per suite: binary, labels (from ctest)
#   bundle/bin/         bench_ops_cuda
#   bundle/_ssrl_ecg_ops.so   the torch ops (stable ABI: any Python, torch >= 2.10)
#   bundle/MANIFEST     commit, date, compilers, torch, architectures, sizes
#
#   bash scripts/gpu_bundle.sh [BUNDLE]        (default build/gpu-bundle)
#   then, on the device: tests/gpu_check.sh BUNDLE
#
# Environment: PYTHON (a python with torch; default .venv/bin/python, else
# python3), CUDAARCHS (default 90), SSRL_GTEST_SOURCE_DIR (default
# /usr/src/googletest), SSRL_BUNDLE_BUILD_DIR (default build/gpu-bundle-build),
# JOBS (default 2).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bundle=${1:-build/gpu-bundle}
[[ $bundle = /* ]] || bundle=$root/$bundle
build=${SSRL_BUNDLE_BUILD_DIR:-build/gpu-bundle-build}
[[ $build = /* ]] || build=$root/$build
archs=${CUDAARCHS:-90}
gtest=${SSRL_GTEST_SOURCE_DIR:-/usr/src/googletest}
jobs=${JOBS:-2}
python=${PYTHON:-}
if [[ -z $python ]]; then
  if [[ -x $root/.venv/bin/python ]]; then python=$root/.venv/bin/python; else python=python3; fi
fi
command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]] ||
  { echo "gpu_bundle: no nvcc: the bundle needs the CUDA kernels" >&2; exit 1; }
[[ -f $gtest/CMakeLists.txt ]] ||
  { echo "gpu_bundle: no GoogleTest sources at $gtest (apt-get install googletest)" >&2; exit 1; }
"$python" -c 'import torch' ||
  { echo "gpu_bundle: $python cannot import torch (set PYTHON)" >&2; exit 1; }

echo "== configure ($build, sm_$archs)"
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES="$archs" \
  -DSSRL_GTEST_SOURCE_DIR="$gtest" -DSSRL_BUILD_TESTS=ON -DSSRL_BUILD_BENCH=ON \
  -DSSRL_BUILD_TORCH=ON -DPython_EXECUTABLE="$python" >"$build/configure.log" 2>&1 ||
  { tail -n 30 "$build/configure.log" >&2; exit 1; }
grep -q 'CUDA kernels ON' "$build/configure.log" ||
  { echo "gpu_bundle: the configure did not enable the CUDA kernels" >&2; exit 1; }
echo "== build (-j$jobs)"
cmake --build "$build" -j "$jobs"

rm -rf "$bundle"
mkdir -p "$bundle/lib" "$bundle/tests" "$bundle/bin"
cp -P "$build"/libssrl_ecg.so* "$bundle/lib/"
cp "$build/torch_bindings/_ssrl_ecg_ops.so" "$bundle/"
cp "$build/bench/bench_ops_cuda" "$bundle/bin/"

# Every GoogleTest binary ctest knows (tests discovered at build time), with the
# labels of its tests; the CTest files hold absolute paths of this machine, so
# the check runs the binaries themselves.
ctest --test-dir "$build" --show-only=json-v1 >"$build/ctest.json"
"$python" - "$build/ctest.json" "$bundle" <<'PY'
import json, os, shutil, sys
tests = json.load(open(sys.argv[1]))["tests"]
suites = {}
for t in tests:
    cmd = t.get("command") or []
    if not cmd or not any(a.startswith("--gtest_filter") for a in cmd):
        continue  # not a GoogleTest case (e.g. the CMake package test)
    labels = set()
    for p in t.get("properties", []):
        if p["name"] == "LABELS":
            labels.update(p["value"])
    suites.setdefault(cmd[0], set()).update(labels)
with open(os.path.join(sys.argv[2], "suites.txt"), "w") as f:
    for exe, labels in sorted(suites.items()):
        shutil.copy2(exe, os.path.join(sys.argv[2], "tests"))
        f.write(f"{os.path.basename(exe)} {','.join(sorted(labels)) or '-'}\n")
print(f"gpu_bundle: {len(suites)} GoogleTest suites")
PY

# The runtime libraries the binaries were linked against, for a machine that
# lacks them or has other versions first on its path.
for lib in libcudart.so libgomp.so; do
  path=$(ldd "$bundle/tests/"* "$bundle/lib/libssrl_ecg.so" 2>/dev/null |
    awk -v l="$lib" '$1 ~ l && !found {print $3; found = 1}')
  [[ -n $path && -f $path ]] && cp -L "$path" "$bundle/lib/"
done

glibc=$(objdump -T "$bundle"/tests/* "$bundle"/lib/* "$bundle"/bin/* "$bundle"/_ssrl_ecg_ops.so \
  2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1 || true)
{
  echo "commit $(git -C "$root" rev-parse HEAD 2>/dev/null || echo none)$(
    git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo +dirty)"
  echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cuda_architectures $archs"
  nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  echo "nvcc $("$nvcc" --version | tail -n 1)"
  echo "torch $("$python" -c 'import torch; print(torch.__version__)')"
  echo "needs $glibc or newer"
  echo "suites $(wc -l <"$bundle/suites.txt")"
} >"$bundle/MANIFEST"
size=$(du -sm "$bundle" | cut -f1)
echo "size_mib $size" >>"$bundle/MANIFEST"
cat "$bundle/MANIFEST"
if ((size >= 64)); then
  echo "gpu_bundle: $size MiB is over the device tool's 64 MiB carry limit" >&2
  exit 1
fi
echo "gpu_bundle: wrote $bundle ($size MiB)"
