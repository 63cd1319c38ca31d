"""The implementations behind `rstorch.nn.functional`, one module per family (conv, pooling,
vision, attention...). `nn/functional.py` is the public facade: it imports each name from here,
so `rstorch.nn.functional.X` is the one place users (and tests) see."""
