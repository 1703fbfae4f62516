"""The product photo: decoding and normalisation (imageio), product masks and cut-outs (masks),
packshot triage, the chosen packshot per SKU (products), placing the product layer (placement),
boxes (geometry) and WCAG colour maths (color)."""
