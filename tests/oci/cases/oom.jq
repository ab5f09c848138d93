# oomScoreAdj (raised: lowering it would need CAP_SYS_RESOURCE).
.process.oomScoreAdj = 500
