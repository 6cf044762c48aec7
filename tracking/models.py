"""Models of the tracking app (see PRODUCT.md; filled in by its own issue)."""
