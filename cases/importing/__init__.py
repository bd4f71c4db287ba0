"""Importing webinar summary documents (pure-Python parsing, no Django) into the library."""
