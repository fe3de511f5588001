"""The stages of one recommendation, in order: query, candidates, taste, filters, score,
diversify, explain. Each is a pure function of small frozen records; only the Recommender
caches. Private: apps use `novelty.recommend` and `novelty.Recommender`."""
