"""What an import changed, for whoever acts on it (the rules, when a car sells).

``inventory_changed`` is sent after the import's transaction commits, with the
dealership's id and the ids of the vehicles that arrived, dropped in price and sold,
and of those with photos to fetch (``photos_wanted``; receivers.py sends them to the worker).
"""

from django.dispatch import Signal

inventory_changed = Signal()
