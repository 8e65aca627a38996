"""Settings that make a run repeatable bit for bit (docs/runtime-contract.md, "Determinism").

Call before any tensor is made. On CPU the same image, spec, inputs and seed give the same bytes;
on GPUs the same holds for the same GPU model, driver and image, as far as PyTorch's deterministic
mode reaches (operations without a deterministic kernel raise instead of varying silently).
"""

import os
import random

# cuBLAS reads this when CUDA initialises: set it before torch touches the GPU.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import numpy as np  # noqa: E402
import torch  # noqa: E402


def make_deterministic(seed, threads=1):
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    # TF32 rounds float32 matmuls to a 10-bit mantissa on Ampere and later: off.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    # Reductions split across threads add in a different order: the thread count is part of the
    # result, so it is fixed here rather than taken from the host's core count.
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already fixed earlier in this process; it can be set only once
    torch.set_default_dtype(torch.float32)


def device():
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
