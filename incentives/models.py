"""Models of the incentives app (see PRODUCT.md; filled in by its own issue)."""
