"""ssrl_ecg: fast, exact building blocks for self-supervised ECG learning.

The reference helpers (``ssrl_ecg.utils``) backed by a C-ABI operator library
registered as ``torch.ops.ssrl_ecg.*`` (CPU in C, CUDA kernels when built with
nvcc). See ``ssrl_ecg.utils``, ``ssrl_ecg.ops`` and ``ssrl_ecg.nn``.
"""

import os as _os

from . import ops  # noqa: F401  (loads the op library and registers fake kernels)
from .utils import apply_random_mask, choose_device, multilabel_metrics, set_seed
from . import masking  # noqa: F401,E402  (the masks' fake kernels and autograd)

__version__ = "0.1.0"

#: For C++ users: CMAKE_PREFIX_PATH entry of find_package(ssrl_ecg_torch_ops), which
#: gives the target ssrl_ecg::torch_ops (docs/semantics.md section 10.1).
cmake_prefix_path = _os.path.join(_os.path.dirname(__file__), "cmake")

__all__ = ["apply_random_mask", "choose_device", "multilabel_metrics", "set_seed", "__version__",
           "cmake_prefix_path"]
