"""Offline evaluation of novelty against simple baselines on simulated couples.

Run it with ``python -m evaluation`` (or ``make eval``); it is a report, not a test.
"""
