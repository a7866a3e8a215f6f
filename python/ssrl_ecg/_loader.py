"""Loads the compiled op library ``_ssrl_ecg_ops`` into torch, once.

The library registers the ``torch.ops.ssrl_ecg`` ops (SEMANTICS.md section 6).
It is found, in order:

1. at the path in the environment variable ``SSRL_ECG_OPS_LIBRARY`` (for
   development builds, e.g. ``build/torch_bindings/_ssrl_ecg_ops.so``);
2. as ``_ssrl_ecg_ops*.so`` next to this file (where ``pip install .`` puts it).

It names torch's own libraries by SONAME only, so ``torch`` must be imported
first; this module does that.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

ENV_VAR = "SSRL_ECG_OPS_LIBRARY"
_PATTERNS = ("_ssrl_ecg_ops*.so", "_ssrl_ecg_ops*.dylib", "_ssrl_ecg_ops*.pyd")

_loaded: str | None = None


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
        path = _find()
        try:
            torch.ops.load_library(path)
        except OSError as exc:  # torch keeps the loader's reason in __cause__
            reason = exc.__cause__ or exc
            raise ImportError(f"ssrl_ecg: could not load the op library {path}: {reason}") from exc
        _loaded = path
    return _loaded


load()
