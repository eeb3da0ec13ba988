"""Power runs in the open: the power list, posts, integrity risk points, warnings, commitments, conduct files, post rotation."""
