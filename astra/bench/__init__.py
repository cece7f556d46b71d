"""`astra bench`: measured performance of the engine against its inline ceiling."""
