"""Estimates: figures with their base and 95 % interval, changes between periods, drivers of
satisfaction and non-response weights, computed exactly from facts counts.

Pure Python (numpy, scipy, statsmodels): no database, no Flask application.
"""

from feedback.reporting.estimates.changes import Change, compare, correct
from feedback.reporting.estimates.drivers import DRIVER_MIN_BASE, Driver, drivers
from feedback.reporting.estimates.figures import Figures, figures
from feedback.reporting.estimates.intervals import Estimate, mean, nps, share
from feedback.reporting.estimates.weighting import Weights, post_stratify

__all__ = [
    "DRIVER_MIN_BASE",
    "Change",
    "Driver",
    "Estimate",
    "Figures",
    "Weights",
    "compare",
    "correct",
    "drivers",
    "figures",
    "mean",
    "nps",
    "post_stratify",
    "share",
]
