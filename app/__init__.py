"""Pure helpers of this repository's own stack program (``__main__.py``)."""
