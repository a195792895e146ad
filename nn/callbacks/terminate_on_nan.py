"""``TerminateOnNaN``: stop training at the first batch whose loss is NaN or infinite."""

from __future__ import annotations

import math

from .callback import Callback, Logs


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite (Keras's callback).

    A NaN loss means the weights are already broken (a NaN in the inputs, or a learning rate that
    diverged); training on would only spread it. The batch's number is printed and ``fit`` returns.

    Example:
        >>> import numpy as np, nn
        >>> model = nn.models.Sequential([nn.layers.Dense(1, input_shape=(2,))])
        >>> model.compile("sgd", "mse")
        >>> x = np.ones((8, 2)); x[5] = np.nan                  # one bad sample, in the second batch
        >>> history = model.fit(x, np.ones(8), batch_size=4, epochs=5, shuffle=False, verbose=0,
        ...                     callbacks=[nn.callbacks.TerminateOnNaN()])
        Batch 1: invalid loss, terminating training
        >>> history.epoch                                        # stopped inside the first epoch
        [0]
    """

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss, terminating training")
            self.model.stop_training = True
