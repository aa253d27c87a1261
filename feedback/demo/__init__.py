"""The demo instance: the loader and the content it loads."""
