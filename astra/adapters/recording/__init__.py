"""Recordings: raw venue frames with receive times (gzip JSON lines), and replaying them."""
