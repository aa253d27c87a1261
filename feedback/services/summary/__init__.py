"""Summary: the disclosure layer, releases of a town hall's numbers, the leadership summary, exports."""
