using Microsoft.Extensions.Logging;

namespace Archive.Search.Elastic.Internal;

/// <summary>Log messages of the Elasticsearch search engine (event ids 4000-4999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, EventName = "RebuildResumed", Level = LogLevel.Information, Message = "Search index rebuild {RebuildId} resumed in {Index} with {Count} documents")]
    public static partial void RebuildResumed(ILogger logger, string rebuildId, string index, long count);

    [LoggerMessage(EventId = 4001, EventName = "RebuildStarted", Level = LogLevel.Information, Message = "Search index rebuild {RebuildId} started in {Index}")]
    public static partial void RebuildStarted(ILogger logger, string rebuildId, string index);

    [LoggerMessage(EventId = 4002, EventName = "RebuildCommitted", Level = LogLevel.Information, Message = "Search index rebuild {RebuildId} committed: {Index} replaces {Old} behind {Alias}")]
    public static partial void RebuildCommitted(ILogger logger, string rebuildId, string index, string old, string alias);

    [LoggerMessage(EventId = 4003, EventName = "ReplacedIndexDeleteFailed", Level = LogLevel.Warning, Message = "Could not delete the replaced search index {Old}: {Error}")]
    public static partial void ReplacedIndexDeleteFailed(ILogger logger, string old, string error);

    [LoggerMessage(EventId = 4004, EventName = "RebuildDiscarded", Level = LogLevel.Information, Message = "Search index rebuild {RebuildId} discarded: {Index} deleted")]
    public static partial void RebuildDiscarded(ILogger logger, string rebuildId, string index);

    [LoggerMessage(EventId = 4005, EventName = "IndexCreated", Level = LogLevel.Information, Message = "Created search index {Index} behind alias {Alias}")]
    public static partial void IndexCreated(ILogger logger, string index, string alias);

    [LoggerMessage(EventId = 4006, EventName = "BulkRejected", Level = LogLevel.Warning, Message = "Elasticsearch rejected {Count} bulk actions with 429 (queue full); retry {Attempt} of {Max} in {Delay} ms")]
    public static partial void BulkRejected(ILogger logger, int count, int attempt, int max, int delay);

    [LoggerMessage(EventId = 4007, EventName = "DocumentTruncated", Level = LogLevel.Warning, Message = "Search document {Id} is {Bytes} bytes, more than the cluster accepts in one request ({Limit}); its text was shortened to {Kept} bytes")]
    public static partial void DocumentTruncated(ILogger logger, string id, long bytes, long limit, long kept);

    [LoggerMessage(EventId = 4008, EventName = "RebuildLeaseRenewFailed", Level = LogLevel.Warning, Message = "Could not renew the lease of search index rebuild {RebuildId} ({Index}); another host may delete it once the lease has run out for longer than AbandonedRebuildRetention")]
    public static partial void RebuildLeaseRenewFailed(ILogger logger, string rebuildId, string index, Exception exception);

    [LoggerMessage(EventId = 4009, EventName = "AbandonedRebuildDeleted", Level = LogLevel.Information, Message = "Deleted abandoned search index rebuild {Index} (lease of {Holder} ran out at {Until})")]
    public static partial void AbandonedRebuildDeleted(ILogger logger, string index, string holder, DateTimeOffset until);

    [LoggerMessage(EventId = 4010, EventName = "RebuildCleanupFailed", Level = LogLevel.Warning, Message = "Could not look for or delete abandoned search index rebuilds")]
    public static partial void RebuildCleanupFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4011, EventName = "WriteSuperseded", Level = LogLevel.Debug, Message = "Search document {Id} version {Version} was not written to {Index}: it already holds a newer version")]
    public static partial void WriteSuperseded(ILogger logger, string id, long version, string index);
}
