"""Facebook Pages and Instagram accounts of a dealership (filled by the social publishing work)."""
