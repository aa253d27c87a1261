"""Administration: staff accounts, settings, backups."""
