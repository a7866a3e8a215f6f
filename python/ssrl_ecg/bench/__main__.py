"""python -m ssrl_ecg.bench: the same as python -m ssrl_ecg bench."""

import sys

from .run import main

sys.exit(main())
