"""Shared by both halves: errors, diagnostics, codes, results, releases, time stamps, atomic file I/O, URIs, lazy imports."""
