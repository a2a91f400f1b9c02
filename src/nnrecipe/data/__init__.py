"""Data: built-in datasets, splits and normalization around one network."""
