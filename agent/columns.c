/*
 * columns.c: the column descriptions of REFERD-MIB's tables.
 */
#include "sip/engine.h"
#include "agent/columns.h"

#define F(type, field) offsetof(type, field)

static const struct column sgp_cols[] = {
	{ 1, "referdSgpIndex", K_INDEX, 0, 0, 0 },
	{ 2, "referdSgpName", K_STRING, F(struct referd_sgp, name), 1, REFERD_NAME_MAX },
	{ 3, "referdSgpStorageType", K_STORAGE, 0, 0, 0 },
	{ 4, "referdSgpRowStatus", K_ROWSTATUS, 0, 0, 0 },
	COL_END
};
static const struct column refer_cols[] = {
	{ 1, "referdReferSupport", K_ENUM, F(struct referd_refer, support), 1, 2 },
	{ 2, "referdReferFromHeader", K_ENUM, F(struct referd_refer, from_header), 1, 2 },
	{ 3, "referdReferDelayedAnswer", K_ENUM, F(struct referd_refer, delayed_answer), 1, 2 },
	{ 4, "referdReferDelayedAnswerTimer", K_U32, F(struct referd_refer, da_timer),
	  REFERD_DA_TIMER_MIN, REFERD_DA_TIMER_MAX },
	{ 5, "referdReferReleaseSession", K_ENUM, F(struct referd_refer, release_session), 1, 2 },
	{ 6, "referdReferStorageType", K_STORAGE, 0, 0, 0 },
	{ 7, "referdReferRowStatus", K_ROWSTATUS, 0, 0, 0 },
	COL_END
};
static const struct column sig_cols[] = {
	{ 1, "referdSigIndex", K_INDEX, 0, 0, 0 },
	{ 2, "referdSigAddress", K_ADDRESS, F(struct referd_sig, address), 1, REFERD_ADDR_MAX },
	{ 3, "referdSigPort", K_U32, F(struct referd_sig, port), 1, 65535 },
	{ 4, "referdSigTransport", K_ENUM, F(struct referd_sig, transport), 1, 2 },
	{ 5, "referdSigSgpIndex", K_U32, F(struct referd_sig, sgp_index), 0, REFERD_SGP_MAX },
	{ 6, "referdSigStorageType", K_STORAGE, 0, 0, 0 },
	{ 7, "referdSigRowStatus", K_ROWSTATUS, 0, 0, 0 },
	{ 8, "referdSigOperStatus", K_OPER, 0, 0, 0 },
	COL_END
};
static const struct column gw_cols[] = {
	{ 1, "referdGwIndex", K_INDEX, 0, 0, 0 },
	{ 2, "referdGwName", K_STRING, F(struct referd_gw, name), 1, REFERD_NAME_MAX },
	{ 3, "referdGwAddress", K_ADDRESS, F(struct referd_gw, address), 1, REFERD_ADDR_MAX },
	{ 4, "referdGwPort", K_U32, F(struct referd_gw, port), 0, 65535 },
	{ 5, "referdGwTransport", K_ENUM, F(struct referd_gw, transport), 1, 2 },
	{ 6, "referdGwSgpIndex", K_U32, F(struct referd_gw, sgp_index), 0, REFERD_SGP_MAX },
	{ 7, "referdGwStorageType", K_STORAGE, 0, 0, 0 },
	{ 8, "referdGwRowStatus", K_ROWSTATUS, 0, 0, 0 },
	COL_END
};
static const struct column route_cols[] = {
	{ 1, "referdRouteIndex", K_INDEX, 0, 0, 0 },
	{ 2, "referdRoutePrefix", K_PREFIX, F(struct referd_route, prefix), 0, REFERD_PREFIX_MAX },
	{ 3, "referdRouteGatewayIndex", K_U32, F(struct referd_route, gw_index), 1, REFERD_GW_MAX },
	{ 4, "referdRouteStorageType", K_STORAGE, 0, 0, 0 },
	{ 5, "referdRouteRowStatus", K_ROWSTATUS, 0, 0, 0 },
	COL_END
};
static const struct column stats_cols[] = {
	{ 1, "referdSgpReferReceived", K_COUNTER, ENGINE_CTR_REFER_RECEIVED, 0, 0 },
	{ 2, "referdSgpReferAccepted", K_COUNTER, ENGINE_CTR_REFER_ACCEPTED, 0, 0 },
	{ 3, "referdSgpReferRejected", K_COUNTER, ENGINE_CTR_REFER_REJECTED, 0, 0 },
	{ 4, "referdSgpTransfersCompleted", K_COUNTER, ENGINE_CTR_TRANSFERS_COMPLETED, 0, 0 },
	{ 5, "referdSgpTransfersFailed", K_COUNTER, ENGINE_CTR_TRANSFERS_FAILED, 0, 0 },
	{ 6, "referdSgpReplacesReceived", K_COUNTER, ENGINE_CTR_REPLACES_RECEIVED, 0, 0 },
	{ 7, "referdSgpReplacesCompleted", K_COUNTER, ENGINE_CTR_REPLACES_COMPLETED, 0, 0 },
	{ 8, "referdSgpDelayedAnswerTimeouts", K_COUNTER, ENGINE_CTR_DA_TIMEOUTS, 0, 0 },
	{ 9, "referdSgpCallsIn", K_COUNTER, ENGINE_CTR_CALLS_IN, 0, 0 },
	{ 10, "referdSgpCallsOut", K_COUNTER, ENGINE_CTR_CALLS_OUT, 0, 0 },
	{ 12, "referdSgpRtpDropped", K_COUNTER, ENGINE_CTR_RTP_DROPPED, 0, 0 },
	COL_END
};
static const struct column call_cols[] = {
	{ 1, "referdCallIndex", K_INDEX, 0, 0, 0 },
	{ 2, "referdCallState", K_CALL, 2, 0, 0 },
	{ 3, "referdCallCallerUri", K_CALL, 3, 0, 0 },
	{ 4, "referdCallCalleeUri", K_CALL, 4, 0, 0 },
	{ 5, "referdCallTransferTargetUri", K_CALL, 5, 0, 0 },
	{ 6, "referdCallDuration", K_CALL, 6, 0, 0 },
	{ 7, "referdCallSgpIn", K_CALL, 7, 0, 0 },
	{ 8, "referdCallSgpOut", K_CALL, 8, 0, 0 },
	COL_END
};

const struct table mib_tables[] = {
	{ REFERD_TABLE_SGP, 2, REFERD_SGP_MAX, "referdSgpTable", sgp_cols },
	{ REFERD_TABLE_REFER, 3, REFERD_SGP_MAX, "referdReferTable", refer_cols },
	{ REFERD_TABLE_SIG, 4, REFERD_SIG_MAX, "referdSignalingTable", sig_cols },
	{ REFERD_TABLE_GW, 5, REFERD_GW_MAX, "referdGatewayTable", gw_cols },
	{ REFERD_TABLE_ROUTE, 6, REFERD_ROUTE_MAX, "referdRouteTable", route_cols },
	{ TABLE_STATS, 7, REFERD_SGP_MAX, "referdSgpStatsTable", stats_cols },
	{ TABLE_CALLS, 8, UINT32_MAX, "referdCallTable", call_cols },
};
const size_t mib_n_tables = sizeof(mib_tables) / sizeof(mib_tables[0]);


const struct table *
mib_table_of(enum referd_table t)
{
	for (size_t i = 0; i < mib_n_tables; i++)
		if (mib_tables[i].id == (int)t)
			return &mib_tables[i];
	return NULL;
}

const struct column *
mib_column(const struct table *t, unsigned arc)
{
	for (const struct column *c = t ? t->cols : NULL; c && c->name; c++)
		if (c->arc == arc)
			return c;
	return NULL;
}
