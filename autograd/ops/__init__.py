"""Every derivative rule of the engine, and nothing else: one ``Op`` class per operation.

- ``elementwise.py``: the 15 ops ``Value`` and ``Tensor`` share (one class, one rule, one name
  each), then maximum, minimum, where, clip, astype.
- ``scalar.py``: ops only ``Value`` has (sin, cos, the many-input sum and w . x + b).
- ``shape.py``: reshape, transpose, indexing, concatenate, broadcasting and undoing it.
- ``reduce.py``: sum, max, logsumexp, softmax, log_softmax.
- ``nn.py``: matmul, dense, conv2d, max/avg pooling, the fused cross-entropy losses;
  ``kernels.py``: the numpy kernels for convolution and pooling they call.

Each class holds its forward, its backward (the vector-Jacobian product) under a one-line
docstring stating the function and its derivatives, and ``text``/``grads``: the op and its rule
as step-by-step explanations print them, with the nodes' names and shapes filled in.
"""
