"""First Contact: one home visit opens every door."""
