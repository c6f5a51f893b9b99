"""fluxpy: run Flux's GitOps pipelines one shot, from the command line.

This module must stay import-free: `fluxpy version` starts from here and is
benchmarked against `kubectl version --client`.
"""

__version__ = "0.1.0"
