"""What an import changed, for whoever acts on it (the rules, when a car sells).

``inventory_changed`` is sent after the import's transaction commits, with the
dealership's id and the ids of the vehicles that arrived, dropped in price and sold,
and of those with photos to fetch (``photos_wanted``), and ``first_import`` (the
dealership's first: its stock is not announced as just arrived). receivers.py acts on it.
"""

from django.dispatch import Signal

inventory_changed = Signal()
