"""The localized banner: layout per channel format, shaped text (HarfBuzz/raqm, fallback fonts,
line breaking), message templates with CLDR plurals, money formatting, composition."""
