"""Context: when and where an idea can happen (calendar, sky, weather, country) and money."""
