"""The inputs and what they mean: brand guide, campaign brief, catalog feed, locales, channel
formats, YAML loading. Everything here is validated at load with file, field and value in errors."""
