using Microsoft.Extensions.Logging;

namespace Archive.Search.Lucene.Internal;

/// <summary>Log messages of the Lucene search engine (event ids 3000-3999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, EventName = "RebuildStarted", Level = LogLevel.Information, Message = "Search index rebuild {RebuildId} started in {Generation}")]
    public static partial void RebuildStarted(ILogger logger, string rebuildId, string generation);

    [LoggerMessage(EventId = 3001, EventName = "RebuildResumed", Level = LogLevel.Information, Message = "Search index rebuild {RebuildId} resumed in {Generation}")]
    public static partial void RebuildResumed(ILogger logger, string rebuildId, string generation);

    [LoggerMessage(EventId = 3002, EventName = "RebuildCommitted", Level = LogLevel.Information, Message = "Search index rebuild {RebuildId} committed: {Generation} replaces {Old}")]
    public static partial void RebuildCommitted(ILogger logger, string rebuildId, string generation, string old);

    [LoggerMessage(EventId = 3003, EventName = "BackgroundRefreshFailed", Level = LogLevel.Warning, Message = "Background refresh of search index {Path} failed")]
    public static partial void BackgroundRefreshFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3004, EventName = "GenerationDeleting", Level = LogLevel.Information, Message = "Deleting unreferenced search index generation {Generation}")]
    public static partial void GenerationDeleting(ILogger logger, string generation);

    [LoggerMessage(EventId = 3005, EventName = "GenerationDeleteFailed", Level = LogLevel.Warning, Message = "Could not delete unreferenced search index generation {Generation}")]
    public static partial void GenerationDeleteFailed(ILogger logger, string generation, Exception exception);

    [LoggerMessage(EventId = 3006, EventName = "GenerationCloseFailed", Level = LogLevel.Warning, Message = "Closing search index generation {Path} failed; rolling back buffered changes")]
    public static partial void GenerationCloseFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3007, EventName = "GenerationRollbackFailed", Level = LogLevel.Warning, Message = "Rolling back search index generation {Path} failed")]
    public static partial void GenerationRollbackFailed(ILogger logger, string path, Exception exception);
}
