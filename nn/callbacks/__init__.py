"""Keras-style callbacks: hooks that ``fit`` calls at the start and end of training, epochs and batches.

``fit`` calls, in order: ``on_train_begin``, then per epoch ``on_epoch_begin(epoch)``, per batch
``on_train_batch_begin/end(batch, logs)``, validation (``on_test_*``), ``on_epoch_end(epoch, logs)``
with ``logs`` holding ``loss``, the metrics and their ``val_`` twins; finally ``on_train_end``.
Setting ``model.stop_training = True`` in any hook ends training after the current epoch.

Example:
    >>> import numpy as np, nn
    >>> model = nn.models.Sequential([nn.layers.Dense(1, input_shape=(2,))])
    >>> model.compile(nn.optimizers.SGD(learning_rate=0.0), "mse")    # rate 0: the loss never improves
    >>> stop = nn.callbacks.EarlyStopping(monitor="loss", patience=2)
    >>> history = model.fit(np.ones((8, 2)), np.ones(8), epochs=10, verbose=0, callbacks=[stop])
    >>> history.epoch                # epoch 0 sets the best; 1 and 2 do not beat it: stop after 2
    [0, 1, 2]
"""

from .callback import Callback, CallbackList, Logs
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler, get_learning_rate, set_learning_rate
from .model_checkpoint import ModelCheckpoint
from .progbar_logger import ProgbarLogger
from .terminate_on_nan import TerminateOnNaN

__all__ = [
    "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
    "LearningRateScheduler",
    "Logs", "ModelCheckpoint", "ProgbarLogger", "TerminateOnNaN", "get_learning_rate", "set_learning_rate",
]
