"""Puts tests/ on sys.path, so test modules import the op tables as `opinfo` (tests/opinfo/)
and the helpers next to them (torch_select) whatever pytest's import mode or rootdir."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
