"""novelty: recommend novel shared experiences for couples."""

from .catalog import load_catalog
from .errors import (
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
    Location,
    Outing,
    Partner,
    Problem,
    Recommendation,
    SourceSpec,
    Window,
)
from .profile import load_profile
from .recommender import Recommender, recommend
from .results import Recommendations
from .scoring import Weights

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "Budget",
    "BudgetError",
    "CatalogError",
    "Couple",
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
]
