"""Models of the goals app (see PRODUCT.md; filled in by its own issue)."""
