"""The front of the pipeline shared by every command: config -> catalogue -> derived data."""

from __future__ import annotations

from pathlib import Path

from ..content.attacks import load_attacks
from ..content.catalogue import load_catalogue
from ..content.config import SiteConfig, load_config
from ..derive import SiteData, derive


def load_site_data(config_file: Path, catalogue_dir: Path | None = None) -> tuple[SiteData, SiteConfig]:
    """Load the config and the whole catalogue (raising every problem at once), then derive."""
    config = load_config(config_file)
    load_attacks(config.attacks_dir)  # the attack patterns are checked like the catalogue
    catalogue = load_catalogue(catalogue_dir or config.catalogue_dir)
    return derive(catalogue), config
