"""The one lookup behind every family's ``get()``: names (with aliases), classes, instances, configs.

``losses.get``, ``metrics.get``, ``optimizers.get``, ``initializers.get`` and ``activations.get`` all
resolve strings here, so they accept the same spellings and fail with the same kind of message:
"losses.get: unknown loss 'crossentropy'; known names: [...]".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

NOT_RESOLVED = object()  # returned by `resolve` for identifiers the family handles itself (callables...)


def lookup(family: str, noun: str, table: Mapping[str, Any], name: Any,
           aliases: Mapping[str, str] | None = None, key: Callable[[str], str] = str.lower,
           known: Iterable[str] | None = None) -> Any:
    """``table[key(name)]`` (after aliases), or a ValueError naming ``name`` and the known names."""
    k = key(str(name))
    k = (aliases or {}).get(k, k)
    if k not in table:
        names = sorted(table if known is None else known)
        raise ValueError(f"{family}.get: unknown {noun} {name!r}; known names: {names}")
    return table[k]


def resolve(identifier: Any, family: str, noun: str, base: type, table: Mapping[str, type],
            aliases: Mapping[str, str] | None = None, key: Callable[[str], str] = str.lower,
            known: Iterable[str] | None = None) -> Any:
    """Instance of ``base`` -> itself; subclass -> a fresh instance; name or ``{"class_name", "config"}``
    -> the registered class built (with that config); anything else -> ``NOT_RESOLVED``."""
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if isinstance(identifier, Mapping) and "class_name" in identifier:
        cls = lookup(family, noun, table, identifier["class_name"], aliases, key, known)
        return cls(**dict(identifier.get("config") or {}))
    if isinstance(identifier, str):
        return lookup(family, noun, table, identifier, aliases, key, known)()
    return NOT_RESOLVED
