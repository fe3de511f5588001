"""The one great-circle distance (haversine), for many points at once or for two places."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from .models import Location

#: Mean Earth radius (IUGG), in kilometres.
EARTH_RADIUS_KM: Final = 6371.0088


def haversine_km(lat: np.ndarray, lon: np.ndarray, home: Location) -> np.ndarray:
    """Great-circle distance of many points (degrees) from one place, in kilometres."""
    lat1, lon1 = np.radians(home.lat), np.radians(home.lon)
    lat2, lon2 = np.radians(lat), np.radians(lon)
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))), dtype=float)


def km_between(a: Location, b: Location) -> float:
    """Great-circle distance between two places, in kilometres."""
    return float(haversine_km(np.array([b.lat]), np.array([b.lon]), a)[0])
