"""riskmap presentation: Folium maps, static images and the command line."""

__all__: list[str] = []
