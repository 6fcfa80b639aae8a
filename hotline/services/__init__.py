"""Domain operations: plain functions with explicit inputs; they add and flush, the caller commits."""
