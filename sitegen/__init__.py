"""sitegen: a static site generator for location-driven marketing sites, built per environment."""

__version__ = "0.1.0"
