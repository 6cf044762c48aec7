"""Models of the plans app (see PRODUCT.md; filled in by its own issue)."""
