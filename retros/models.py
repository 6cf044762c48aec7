"""Models of the retros app (see PRODUCT.md; filled in by its own issue)."""
