"""Curation: the editorial workflow, revisions and their review queue, merging terms, lasting permalinks, parent checks."""
