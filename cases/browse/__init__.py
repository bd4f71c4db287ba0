"""Browsing the published library: filters, facets, exports, citations, feeds, sitemaps, the matrix and comparison."""
