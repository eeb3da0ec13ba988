"""govhall: the software of a 政务服务中心 (government affairs service center)."""
