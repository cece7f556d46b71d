"""The simulator's outside edge: venue text encoding and the recording file it writes."""
