/*
 * dispatch.c — the table of Kafka APIs the broker serves, and ApiVersions built from it.
 *
 * One row per ApiKey: {min_version, max_version, first_flexible_version, handler}. The
 * ApiVersions answer is generated from this same table, so what is advertised cannot drift
 * from what is implemented. Keys with no handler are not advertised; requests for them (or
 * for versions outside the range) close the connection, as Apache Kafka does — except
 * ApiVersions itself, which answers an unknown version with UNSUPPORTED_VERSION and the list
 * in v0 format (KIP-511).
 */
#include "broker/broker_int.h"
#include "common/err.h"

const sl_kapi_t sl_kapi_table[SL_API__COUNT] = {
    [SL_API_Produce] = {0, 9, 9, sl_kapi_produce},
    [SL_API_Fetch] = {4, 12, 12, sl_kapi_fetch},
    [SL_API_ListOffsets] = {0, 7, 6, sl_kapi_list_offsets},
    [SL_API_Metadata] = {0, 12, 9, sl_kapi_metadata},
    [SL_API_ApiVersions] = {0, 3, 3, sl_kapi_api_versions},
    [SL_API_CreateTopics] = {0, 7, 5, sl_kapi_create_topics},
    [SL_API_DeleteTopics] = {0, 6, 4, sl_kapi_delete_topics},
    [SL_API_DeleteRecords] = {0, 2, 2, sl_kapi_delete_records},
    [SL_API_DescribeConfigs] = {0, 4, 4, sl_kapi_describe_configs},
    [SL_API_AlterConfigs] = {0, 2, 2, sl_kapi_alter_configs},
    [SL_API_CreatePartitions] = {0, 3, 2, sl_kapi_create_partitions},
    [SL_API_IncrementalAlterConfigs] = {0, 1, 1, sl_kapi_incremental_alter_configs},
    [SL_API_DescribeCluster] = {0, 0, 0, sl_kapi_describe_cluster},
    [SL_API_FindCoordinator] = {0, 4, 3, sl_kapi_find_coordinator},
    [SL_API_JoinGroup] = {0, 9, 6, sl_kapi_join_group},
    [SL_API_SyncGroup] = {0, 5, 4, sl_kapi_sync_group},
    [SL_API_Heartbeat] = {0, 4, 4, sl_kapi_heartbeat},
    [SL_API_LeaveGroup] = {0, 5, 4, sl_kapi_leave_group},
    [SL_API_OffsetCommit] = {0, 8, 8, sl_kapi_offset_commit},
    [SL_API_OffsetFetch] = {0, 8, 6, sl_kapi_offset_fetch},
    [SL_API_ListGroups] = {0, 4, 3, sl_kapi_list_groups},
    [SL_API_DescribeGroups] = {0, 5, 5, sl_kapi_describe_groups},
    [SL_API_DeleteGroups] = {0, 2, 2, sl_kapi_delete_groups},
    [SL_API_OffsetDelete] = {0, 0, -1, sl_kapi_offset_delete},
};

/*
 * ApiVersions request:  v3+: client_software_name, client_software_version (compact), tags
 * ApiVersions response: error_code i16, api_keys [api_key, min_version, max_version, (tags)],
 *                       v1+: throttle_time_ms i32, (v3+: tags)
 */
int sl_kapi_api_versions(sl_req_t *req)
{
    const sl_kapi_t *self = &sl_kapi_table[SL_API_ApiVersions];
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int unsupported = v > self->max_version || v < self->min_version;
    if (unsupported) {
        /* KIP-511: answer in v0 format, which every client can read. */
        v = 0;
        w->flex = 0;
    } else if (v >= 3) {
        sl_kstr_t name, version;
        SL_KR(sl_kr_str(&req->r, &name));
        SL_KR(sl_kr_str(&req->r, &version));
        SL_KR(sl_kr_tags(&req->r));
    }
    int32_t n = 0;
    for (int k = 0; k < SL_API__COUNT; k++)
        if (sl_kapi_table[k].handler) n++;
    sl_kw_i16(w, unsupported ? SL_KERR_UNSUPPORTED_VERSION : SL_KERR_NONE);
    sl_kw_array(w, n);
    for (int k = 0; k < SL_API__COUNT; k++) {
        const sl_kapi_t *api = &sl_kapi_table[k];
        if (!api->handler) continue;
        sl_kw_i16(w, (int16_t)k);
        sl_kw_i16(w, api->min_version);
        sl_kw_i16(w, api->max_version);
        sl_kw_tags(w);
    }
    if (v >= 1) sl_kw_i32(w, 0);
    sl_kw_tags(w);
    return SL_OK;
err_parse:
    return SL_PROTO;
}
