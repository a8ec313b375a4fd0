"""Stage 4, render: the Jinja2 environment over the theme search path, the per-page
template data (JSON-LD, breadcrumbs, intro, maps) and page rendering."""
