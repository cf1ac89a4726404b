"""meetdocs: meeting content (YAML + Markdown) in, briefing PDFs and delegation reports out.

The pipeline is content → model → HTML → {PDF, DOCX}; see ``pipeline.build_meeting``.
"""

__version__ = "0.1.0"
