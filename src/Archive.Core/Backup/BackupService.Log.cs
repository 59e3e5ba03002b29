using Microsoft.Extensions.Logging;

namespace Archive.Backup;

public sealed partial class BackupService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1640, EventName = "BackupCreated", Level = LogLevel.Information, Message = "Backup set {SetId} written ({Kind}): {Files} files listed, {FilesStored} files ({BytesStored} bytes) stored in the set.")]
        public static partial void Created(ILogger logger, string setId, string kind, long files, long filesStored, long bytesStored);

        [LoggerMessage(EventId = 1641, EventName = "BackupRestored", Level = LogLevel.Information, Message = "Backup set {SetId} restored: {Files} files, {Bytes} bytes.")]
        public static partial void Restored(ILogger logger, string setId, long files, long bytes);

        [LoggerMessage(EventId = 1642, EventName = "BackupAuditStopped", Level = LogLevel.Warning, Message = "The backup's audit trail stops before {Key}: {Reason}.")]
        public static partial void AuditStopped(ILogger logger, string key, string reason);

        [LoggerMessage(EventId = 1643, EventName = "BackupJobFailed", Level = LogLevel.Error, Message = "Backup job {JobId} failed.")]
        public static partial void JobFailed(ILogger logger, string jobId, Exception exception);
    }
}
