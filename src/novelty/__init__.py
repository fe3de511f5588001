"""novelty: recommend novel shared experiences for couples.

The models, errors, profiles and history load with the package; the recommender and the
catalog (numpy, pandas, scipy) load on first use of their names, so `import novelty` stays
quick for apps that only build profiles or log outings.
"""

import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    ArgumentError,
    BudgetError,
    CatalogError,
    HistoryError,
    NoveltyError,
    ProfileError,
    SourceError,
    WindowError,
)
from .history import HistoryStore
from .models import (
    Activity,
    Budget,
    Couple,
    Day,
    FreeTime,
    Location,
    Outing,
    Partner,
    Problem,
    Recommendation,
    SourceSpec,
    Window,
)
from .profile import load_profile

logging.getLogger("novelty").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from .catalog import load_catalog
    from .config import Weights
    from .recommender import Recommender, recommend, recommend_many
    from .results import Recommendations

#: Names loaded on first use, and the module that defines each.
_ON_FIRST_USE = {
    "load_catalog": "catalog",
    "Recommender": "recommender",
    "recommend": "recommender",
    "recommend_many": "recommender",
    "Recommendations": "results",
    "Weights": "config",
}

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "ArgumentError",
    "Budget",
    "BudgetError",
    "CatalogError",
    "Couple",
    "Day",
    "FreeTime",
    "HistoryError",
    "HistoryStore",
    "Location",
    "NoveltyError",
    "Outing",
    "Partner",
    "Problem",
    "ProfileError",
    "Recommendation",
    "Recommendations",
    "Recommender",
    "SourceError",
    "SourceSpec",
    "Weights",
    "Window",
    "WindowError",
    "__version__",
    "load_catalog",
    "load_profile",
    "recommend",
    "recommend_many",
]


def __getattr__(name: str) -> Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'novelty' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
