"""Outlet rating sets a user imports (Wikipedia RSP, Lin et al. 2023, MBFC via Baly et al., plain CSV).

Each set is stored apart, with the original value and a normalised reliability in [0, 1];
where sets disagree both are shown. An outlet no set rates is unknown, not unreliable.
"""

from veracity.ratings.formats import FORMATS, Rating, outlet_domain, read_ratings
from veracity.ratings.store import OutletRating, RatingSet, RatingStore

__all__ = ["FORMATS", "OutletRating", "Rating", "RatingSet", "RatingStore", "outlet_domain", "read_ratings"]
