"""dptext from Python: differentially private word substitution through the
dptext command-line tool (which must be installed or built; see README.md)."""

from .client import DPTextError, Privatizer, find_binary

__all__ = ["DPTextError", "Privatizer", "find_binary"]
__version__ = "0.1.0"
