"""Checks a built ssrl_ecg wheel as a package index would, and more
(docs/semantics.md section 10.4):

- the file name: ssrl_ecg-VERSION-py3-none-manylinux_2_NN_x86_64.whl, one file
  for every Python; VERSION ends in "+cpu" exactly when the op library holds
  no CUDA kernels (no .nv_fatbin section);
- the op library needs no glibc symbol newer than the tag's 2_NN;
- it needs only glibc, the C++ runtime, libgomp and torch's own libraries, all
  found by SONAME in the process that imported torch: no RPATH or RUNPATH;
- nothing is vendored: one shared library in the wheel, no second libgomp.

    python scripts/wheel_check.py dist/ssrl_ecg-*.whl

Prints what it measured (tag, GLIBC needs, CUDA architectures, sizes) and exits
non-zero, naming the rule, on the first wheel that breaks one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

NAME = re.compile(
    r"^ssrl_ecg-(?P<version>[^-]+)-py3-none-manylinux_(?P<major>\d+)_(?P<minor>\d+)_x86_64\.whl$"
)
#: SONAMEs the op library may name: glibc, the C++ runtime, and what `import torch` loads.
ALLOWED_NEEDED = {
    "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
    "ld-linux-x86-64.so.2", "libgcc_s.so.1", "libstdc++.so.6",
    "libgomp.so.1",  # torch's own copy (torch/lib/libgomp.so.1), matched by SONAME
    "libtorch_cpu.so", "libtorch_cuda.so", "libc10.so", "libc10_cuda.so",
}


def fail(wheel: Path, why: str) -> None:
    sys.exit(f"wheel_check: {wheel.name}: {why}")


def readelf(args: list[str], path: Path) -> str:
    return subprocess.run(["readelf", "-W", *args, str(path)], check=True, capture_output=True,
                          text=True).stdout


def glibc_needs(so: Path) -> list[tuple[int, int]]:
    found = set(re.findall(r"Name: GLIBC_(\d+)\.(\d+)", readelf(["-V"], so)))
    return sorted((int(a), int(b)) for a, b in found)


def check(wheel: Path) -> None:
    m = NAME.match(wheel.name)
    if m is None:
        fail(wheel, "name is not ssrl_ecg-VERSION-py3-none-manylinux_2_NN_x86_64.whl")
    tag_glibc = (int(m["major"]), int(m["minor"]))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        libs = [n for n in names if re.search(r"\.so(\.\d+)*$", n)]
        if libs != ["ssrl_ecg/_ssrl_ecg_ops.so"]:
            fail(wheel, f"expected exactly ssrl_ecg/_ssrl_ecg_ops.so, found {libs} (vendored?)")
        if any(".libs/" in n for n in names):
            fail(wheel, "has a vendored .libs folder")
        tmp = Path(tempfile.mkdtemp())
        so = Path(z.extract(libs[0], tmp))
    try:
        needed = set(re.findall(r"\(NEEDED\).*\[(.+?)\]", readelf(["-d"], so)))
        if not needed <= ALLOWED_NEEDED:
            fail(wheel, f"needs libraries outside glibc, libstdc++, libgomp and torch: "
                        f"{sorted(needed - ALLOWED_NEEDED)}")
        if re.search(r"\((RPATH|RUNPATH)\)", readelf(["-d"], so)):
            fail(wheel, "the op library has an RPATH/RUNPATH (torch's libraries must be "
                        "found by SONAME among those already loaded)")
        glibc = glibc_needs(so)
        newest = glibc[-1] if glibc else (2, 0)
        if newest > tag_glibc:
            fail(wheel, f"needs GLIBC_{newest[0]}.{newest[1]} but is tagged manylinux_"
                        f"{tag_glibc[0]}_{tag_glibc[1]}")
        cuda = ".nv_fatbin" in readelf(["-S"], so)
        cpu_name = m["version"].endswith("+cpu")
        if cuda == cpu_name:
            fail(wheel, f"version {m['version']} but the op library "
                        f"{'holds' if cuda else 'has no'} CUDA kernels")
        print(f"wheel_check: {wheel.name}: ok")
        print(f"  size {wheel.stat().st_size / 2**20:.2f} MiB, op library "
              f"{so.stat().st_size / 2**20:.2f} MiB, CUDA kernels {'yes' if cuda else 'no'}")
        print(f"  newest glibc needed GLIBC_{newest[0]}.{newest[1]}; NEEDED {sorted(needed)}")
        if cuda and shutil.which("cuobjdump"):
            listing = subprocess.run(["cuobjdump", "--list-elf", "--list-ptx", str(so)],
                                     capture_output=True, text=True).stdout
            archs = sorted(set(re.findall(r"\.(sm_\d+a?)\.(?:cubin|ptx)", listing)))
            ptx = sorted(set(re.findall(r"\.(sm_\d+a?)\.ptx", listing)))
            print(f"  CUDA code for {', '.join(archs)}; PTX for {', '.join(ptx) or 'none'}")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        check(Path(arg))
