"""Deterministic seed data for the demo database (sql/demo), at a realistic volume.

Everything comes from ``random.Random`` with fixed seeds, one stream per table, so two
runs give identical rows: no wall clock (dates are relative to ``REFERENCE_DATE``) and
no ``uuid4`` (GUIDs are drawn from the stream).

Modules: ``company`` (table order, shared state, ``seed_rows``), ``insert``
(``seed_database``), one module a subject (``hr``, ``people``, ``sites``, ``assets``,
``tickets``, ``customers``, ``orders``), and what they share (``volumes``, ``draws``,
``names``).
"""

from app.demo.seed.company import seed_counts, seed_rows
from app.demo.seed.draws import REFERENCE_DATE
from app.demo.seed.insert import seed_database
from app.demo.seed.people import PERSONAS
from app.demo.seed.volumes import SEED, VOLUMES

__all__ = [
    "PERSONAS",
    "REFERENCE_DATE",
    "SEED",
    "VOLUMES",
    "seed_counts",
    "seed_database",
    "seed_rows",
]
