"""Stage 3, views: the site index and what each page family shows (tool and server pages, listings, attack
pages, search, site-wide files), as contexts for the templates."""
