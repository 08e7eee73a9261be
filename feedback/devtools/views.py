"""Web views of the devtools area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("devtools", __name__)
