"""Probability models for the weather and rates categories, and the data frames they read."""
