"""Data masking: find sensitive values in chat text and replace them by placeholders.

Public names: `MaskingFilter` (entry point `masking`), its `MaskingOptions`,
`StreamMasker` for streamed responses, and the `TokenVault` protocol with the
in-memory `MemoryVault` for the tokenize style.
"""

from filters.masking._model import Detection, MaskFinding
from filters.masking.engine import Masker
from filters.masking.filter import MaskingFilter, permissions
from filters.masking.options import MaskingOptions, Rule
from filters.masking.stream import StreamMasker
from filters.masking.vault import MemoryVault, TokenVault

__all__ = [
    "Detection", "MaskFinding", "Masker", "MaskingFilter", "MaskingOptions", "MemoryVault", "Rule",
    "StreamMasker", "TokenVault", "permissions",
]
