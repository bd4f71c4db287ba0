"""Project configuration of the cross-border innovation case library."""
