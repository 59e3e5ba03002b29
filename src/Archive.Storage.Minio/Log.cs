using Microsoft.Extensions.Logging;

namespace Archive.Storage.Minio;

/// <summary>
/// Log messages of the S3 object store (event ids 5000-5999). Requests are logged by method and bucket, never by
/// URI: a presigned URI carries a signature.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, EventName = "S3RequestRetry", Level = LogLevel.Warning, Message = "S3 {Method} request to bucket {Bucket} failed ({Reason}); retry {Attempt} of {MaxRetries}")]
    public static partial void RequestRetry(ILogger logger, string method, string bucket, string reason, int attempt, int maxRetries);

    [LoggerMessage(EventId = 5001, EventName = "S3RequestFailed", Level = LogLevel.Warning, Message = "S3 {Method} request to bucket {Bucket} answered {Status} after {ElapsedMs} ms")]
    public static partial void RequestFailed(ILogger logger, string method, string bucket, int status, long elapsedMs);

    [LoggerMessage(EventId = 5002, EventName = "S3RequestRefused", Level = LogLevel.Debug, Message = "S3 {Method} request to bucket {Bucket} answered {Status} after {ElapsedMs} ms")]
    public static partial void RequestRefused(ILogger logger, string method, string bucket, int status, long elapsedMs);

    [LoggerMessage(EventId = 5003, EventName = "S3RequestError", Level = LogLevel.Warning, Message = "S3 {Method} request to bucket {Bucket} failed after {ElapsedMs} ms: {Error}")]
    public static partial void RequestError(ILogger logger, string method, string bucket, long elapsedMs, string error, Exception exception);

    [LoggerMessage(EventId = 5004, EventName = "S3RequestCanceled", Level = LogLevel.Debug, Message = "S3 {Method} request to bucket {Bucket} was cancelled or timed out after {ElapsedMs} ms")]
    public static partial void RequestCanceled(ILogger logger, string method, string bucket, long elapsedMs);

    [LoggerMessage(EventId = 5005, EventName = "S3SlowRequest", Level = LogLevel.Warning, Message = "S3 {Method} request to bucket {Bucket} took {ElapsedMs} ms until its response headers (status {Status})")]
    public static partial void SlowRequest(ILogger logger, string method, string bucket, long elapsedMs, int status);

    [LoggerMessage(EventId = 5006, EventName = "S3MultipartAborted", Level = LogLevel.Warning, Message = "Multipart upload {UploadId} of {Key} was aborted after a failure")]
    public static partial void MultipartAborted(ILogger logger, string uploadId, string key);

    [LoggerMessage(EventId = 5007, EventName = "S3MultipartAbortFailed", Level = LogLevel.Warning, Message = "Multipart upload {UploadId} of {Key} could not be aborted; its parts stay until a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them")]
    public static partial void MultipartAbortFailed(ILogger logger, string uploadId, string key, Exception exception);
}
