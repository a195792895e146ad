"""AdamW: Adam with decoupled weight decay, on by default."""

from __future__ import annotations

from .adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), Keras default ``weight_decay=0.004``::

        p -= lr * weight_decay * p;   then the Adam step

    (``torch.optim.AdamW`` does the same, with default weight_decay 0.01 and eps 1e-8.)

    Example:
        >>> from autograd import Value
        >>> w = Value(1.0); opt = AdamW([w], learning_rate=0.1)
        >>> (w * 0).backward(); opt.step()          # zero gradient: only the decay acts
        >>> round(w.data, 6)                        # 1 - 0.1 * 0.004
        0.9996
    """

    default_weight_decay = 0.004
