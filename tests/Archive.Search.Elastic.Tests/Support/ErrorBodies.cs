using System.Text.Json.Nodes;

namespace Archive.Search.Elastic.Tests.Support;

/// <summary>Error bodies as Elasticsearch 9 returns them (shapes from its REST API documentation and responses).</summary>
public static class ErrorBodies
{
    public static JsonNode IndexNotFound(string index) => JsonNode.Parse($$$$$"""
        {"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [{{{{{index}}}}}]","resource.type":"index_or_alias","resource.id":"{{{{{index}}}}}","index_uuid":"_na_","index":"{{{{{index}}}}}"}],
                  "type":"index_not_found_exception","reason":"no such index [{{{{{index}}}}}]","resource.type":"index_or_alias","resource.id":"{{{{{index}}}}}","index_uuid":"_na_","index":"{{{{{index}}}}}"},
         "status":404}
        """)!;

    public static JsonNode ResourceAlreadyExists(string index) => JsonNode.Parse($$$$$"""
        {"error":{"root_cause":[{"type":"resource_already_exists_exception","reason":"index [{{{{{index}}}}}/Xb2aTqGfQyqL4c8oQ0l3Ug] already exists","index_uuid":"Xb2aTqGfQyqL4c8oQ0l3Ug","index":"{{{{{index}}}}}"}],
                  "type":"resource_already_exists_exception","reason":"index [{{{{{index}}}}}/Xb2aTqGfQyqL4c8oQ0l3Ug] already exists","index_uuid":"Xb2aTqGfQyqL4c8oQ0l3Ug","index":"{{{{{index}}}}}"},
         "status":400}
        """)!;

    /// <summary>A query refused for its clause count (Lucene's TooManyNestedClauses, as Elasticsearch reports it).</summary>
    public static JsonNode SearchPhaseExecution(string index)
        => SearchPhaseExecution(index, "failed to create query: maxClauseCount is set to 4096", "too_many_nested_clauses", "Query contains too many nested clauses; maxClauseCount is set to 4096");

    public static JsonNode SearchPhaseExecution(string index, string shardReason, string causeType, string causeReason) => JsonNode.Parse($$$$$"""
        {"error":{"root_cause":[{"type":"query_shard_exception","reason":"{{{{{shardReason}}}}}","index_uuid":"kP8e2mGzTYy1rVd9QwXb0A","index":"{{{{{index}}}}}"}],
                  "type":"search_phase_execution_exception","reason":"all shards failed","phase":"query","grouped":true,
                  "failed_shards":[{"shard":0,"index":"{{{{{index}}}}}","node":"r3Yb9dGTR7mB0kSx1C2ZtA","reason":{"type":"query_shard_exception","reason":"{{{{{shardReason}}}}}","index_uuid":"kP8e2mGzTYy1rVd9QwXb0A","index":"{{{{{index}}}}}",
                     "caused_by":{"type":"{{{{{causeType}}}}}","reason":"{{{{{causeReason}}}}}"}}}],
                  "caused_by":{"type":"{{{{{causeType}}}}}","reason":"{{{{{causeReason}}}}}"}},
         "status":400}
        """)!;

    public static JsonNode RejectedExecution() => JsonNode.Parse("""
        {"error":{"root_cause":[{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation [coordinating_and_primary_bytes=104857600, replica_bytes=0, all_bytes=104857600, coordinating_operation_bytes=2097152, max_coordinating_and_primary_bytes=107374182]"}],
                  "type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation [coordinating_and_primary_bytes=104857600, replica_bytes=0, all_bytes=104857600, coordinating_operation_bytes=2097152, max_coordinating_and_primary_bytes=107374182]"},
         "status":429}
        """)!;

    public static JsonNode ClusterBlock(string index) => JsonNode.Parse($$$$$"""
        {"error":{"root_cause":[{"type":"cluster_block_exception","reason":"index [{{{{{index}}}}}] blocked by: [FORBIDDEN/8/index write (api)];"}],
                  "type":"cluster_block_exception","reason":"index [{{{{{index}}}}}] blocked by: [FORBIDDEN/8/index write (api)];"},
         "status":403}
        """)!;

    public static JsonNode SecurityException() => JsonNode.Parse("""
        {"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials for REST request [/archive-test/_search]","header":{"WWW-Authenticate":["Basic realm=\"security\", charset=\"UTF-8\"","ApiKey"]}}],
                  "type":"security_exception","reason":"missing authentication credentials for REST request [/archive-test/_search]","header":{"WWW-Authenticate":["Basic realm=\"security\", charset=\"UTF-8\"","ApiKey"]}},
         "status":401}
        """)!;

    /// <summary>A bulk item rejected because the write thread pool queue is full.</summary>
    public static JsonObject RejectedItem(string index, string id) => JsonNode.Parse($$$$$"""
        {"_index":"{{{{{index}}}}}","_id":"{{{{{id}}}}}","status":429,
         "error":{"type":"es_rejected_execution_exception","reason":"rejected execution of org.elasticsearch.action.support.replication.TransportWriteAction$1/WrappedActionListener{org.elasticsearch.action.support.replication.ReplicationOperation$$Lambda} on EsThreadPoolExecutor[name = node-1/write, queue capacity = 10000, task execution EWMA = 1.2ms]"}}
        """)!.AsObject();

    public static JsonObject VersionConflictItem(string index, string id) => JsonNode.Parse($$$$$"""
        {"_index":"{{{{{index}}}}}","_id":"{{{{{id}}}}}","status":409,
         "error":{"type":"version_conflict_engine_exception","reason":"[{{{{{id}}}}}]: version conflict, document already exists (current version [1])","index_uuid":"kP8e2mGzTYy1rVd9QwXb0A","shard":"0","index":"{{{{{index}}}}}"}}
        """)!.AsObject();

    public static JsonObject MapperParsingItem(string index, string id) => JsonNode.Parse($$$$$"""
        {"_index":"{{{{{index}}}}}","_id":"{{{{{id}}}}}","status":400,
         "error":{"type":"document_parsing_exception","reason":"[1:245] failed to parse field [date] of type [date] in document with id '{{{{{id}}}}}'. Preview of field's value: '2024-13-45'",
                  "caused_by":{"type":"illegal_argument_exception","reason":"failed to parse date field [2024-13-45] with format [strict_date]"}}}
        """)!.AsObject();
}
