"""James-Stein shrinkage of a departure measured over several songs (one copy, used by the
learned balance priors and by a user's profile).

The per-song spread is pooled with a prior spread worth ``prior_weight`` songs (so one or two
songs cannot claim to be consistent), and the mean departure from ``centre`` is multiplied by the
positive-part James-Stein factor ``max(0, 1 - se^2 / dep^2)`` with ``se = spread / sqrt(n)``
(Efron & Morris, "Stein's estimation rule and its competitors", JASA 68 (1973) 117-130). A
departure that is large and consistent is kept almost whole; one that is small against its spread,
or seen in few songs, goes back toward the centre.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def summarise(
    values: list[float],
    prior_spread: float,
    limit: float,
    centre: float = 0.0,
    prior_weight: float = 2.0,
    robust: bool = False,
) -> dict[str, Any]:
    """Mean, spread, agreement and the shrunk value of one quantity's per-song departures.

    ``robust``: the songs' centre is their median (one wild song cannot move it; with six songs
    or more), its standard error 1.2533 sd / sqrt(n) (the median's asymptotic efficiency for a
    normal sample), the sd 1.4826 x the median absolute deviation (the normal sd, robust too).
    ``agree`` counts the songs that depart the same way as the mean by at least a quarter of the
    prior spread; ``value`` is the shrunk departure (clipped to +-``limit``) added to ``centre``.
    """
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n > 1 else None
    middle, efficiency = mean, 1.0
    if robust and n >= 6:
        middle, efficiency = float(np.median(x)), 1.2533
        sd = float(1.4826 * np.median(np.abs(x - middle)))
    pooled = math.sqrt(((n - 1) * (sd or 0.0) ** 2 + prior_weight * prior_spread**2) / (n - 1 + prior_weight))
    se = efficiency * pooled / math.sqrt(n)
    dep = middle - centre
    factor = max(0.0, 1.0 - (se / dep) ** 2) if dep != 0 else 0.0
    value = centre + float(np.clip(dep * factor, -limit, limit))
    small = 0.25 * prior_spread
    agree = int(np.sum((np.sign(x - centre) == np.sign(dep)) & (np.abs(x - centre) >= small)))
    return {
        "n": n,
        "values": [round(float(v), 3) for v in x],
        "mean": round(mean, 3),
        "centre": round(middle, 3),
        "sd": None if sd is None else round(sd, 3),
        "spread": round(pooled, 3),
        "agree": agree,
        "shrink": round(factor, 3),
        "value": round(value, 3),
    }
