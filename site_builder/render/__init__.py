"""Stage 4, render: templates compiled once, Markdown made safe, and the mkdocs page chrome (theme.py)."""
