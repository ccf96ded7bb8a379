"""The documentation site: its pages, its generated references and its code blocks."""
