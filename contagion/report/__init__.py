"""Report generation: tables, figures, HTML/Markdown pages, manifest and citation files."""
