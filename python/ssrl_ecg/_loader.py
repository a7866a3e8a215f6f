"""Loads the compiled op library ``_ssrl_ecg_ops`` into torch, once.

The library registers the ``torch.ops.ssrl_ecg`` ops (docs/semantics.md section 6).
It is found, in order:

1. at the path in the environment variable ``SSRL_ECG_OPS_LIBRARY`` (for
   development builds, e.g. ``build/torch_bindings/_ssrl_ecg_ops.so``);
2. as ``_ssrl_ecg_ops*.so`` next to this file (where ``pip install .`` puts it).

It names torch's own libraries by SONAME only, so ``torch`` must be imported
first; this module does that. It is built on the stable libtorch ABI of torch
2.10 and loads into any torch >= 2.10; an older torch is refused here with the
version needed (docs/semantics.md section 10.3) rather than with the loader's
``undefined symbol: torch_list_push_back``.
"""

from __future__ import annotations

import ctypes
import os
import re
from pathlib import Path

import torch

ENV_VAR = "SSRL_ECG_OPS_LIBRARY"
_PATTERNS = ("_ssrl_ecg_ops*.so", "_ssrl_ecg_ops*.dylib", "_ssrl_ecg_ops*.pyd")

#: The oldest torch whose stable ABI the op library was built against.
MIN_TORCH = (2, 10)

_loaded: str | None = None


def _check_torch(version: str) -> None:
    """Raises ImportError naming the torch needed when ``version`` is older."""
    m = re.match(r"(\d+)\.(\d+)", version)
    if m is None or (int(m.group(1)), int(m.group(2))) >= MIN_TORCH:
        return
    need = ".".join(map(str, MIN_TORCH))
    raise ImportError(
        f"ssrl_ecg needs torch >= {need} (its op library is built on the stable libtorch ABI "
        f"of torch {need}), but torch {version} is installed. Upgrade torch: "
        f"pip install 'torch>={need}'."
    )


def _find() -> str:
    env = os.environ.get(ENV_VAR)
    if env:
        if not os.path.isfile(env):
            raise ImportError(f"ssrl_ecg: {ENV_VAR}={env!r} is not a file")
        return env
    here = Path(__file__).resolve().parent
    for pattern in _PATTERNS:
        found = sorted(here.glob(pattern))
        if found:
            return str(found[0])
    searched = ", ".join(str(here / p) for p in _PATTERNS)
    raise ImportError(
        f"ssrl_ecg: the compiled op library was not found: {ENV_VAR} is not set and "
        f"nothing matches {searched}. Install the package (pip install .) or set "
        f"{ENV_VAR} to a built _ssrl_ecg_ops.so."
    )


def load() -> str:
    """Loads the op library if it is not loaded yet; returns its path."""
    global _loaded
    if _loaded is None:
        _check_torch(torch.__version__)
        path = _find()
        try:
            torch.ops.load_library(path)
        except OSError as exc:  # torch keeps the loader's reason in __cause__
            reason = exc.__cause__ or exc
            raise ImportError(f"ssrl_ecg: could not load the op library {path}: {reason}") from exc
        _loaded = path
    return _loaded


def _lib() -> ctypes.CDLL:
    """The loaded op library's C ABI (the same handle torch loaded)."""
    return ctypes.CDLL(load())


def has_cuda_kernels() -> bool:
    """Whether this build holds the CUDA kernels (says nothing about a GPU)."""
    return bool(_lib().ssrl_has_cuda()) and torch.version.cuda is not None


def cuda_driver_problem() -> str | None:
    """Why the CUDA kernels cannot run on this machine's driver, or None.

    The sentence of ``ssrl_cuda_driver_check`` (docs/semantics.md section 10.5),
    e.g. when the driver supports only an older CUDA than the kernels were built
    with; None in a build without CUDA kernels, or when they can run.
    """
    buf = ctypes.create_string_buffer(512)
    status = _lib().ssrl_cuda_driver_check(buf, ctypes.c_size_t(len(buf)))
    return buf.value.decode() if status == 12 else None  # SSRL_ERR_CUDA_DRIVER


load()
