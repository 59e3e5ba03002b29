using System.Net;
using global::Minio.Exceptions;

namespace Archive.Storage.Minio;

public sealed partial class MinioObjectStore
{
    /// <summary>Everything but our own exceptions and the caller's cancellation is translated.</summary>
    private static bool Translatable(Exception e, CancellationToken cancellationToken)
        => e is not ArchiveException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static bool IsAccessDenied(Exception e) => e switch
    {
        MinioException m when string.Equals(m.Response?.Code, "AccessDenied", StringComparison.OrdinalIgnoreCase) => true,
        AccessDeniedException => true,
        S3HttpException h => h.Status == HttpStatusCode.Forbidden,
        _ => false,
    };

    private static bool IsLockMessage(Exception e)
    {
        var message = ServerMessage(e);
        return message.Contains("object lock", StringComparison.OrdinalIgnoreCase)
            || message.Contains("retention", StringComparison.OrdinalIgnoreCase)
            || message.Contains("legal hold", StringComparison.OrdinalIgnoreCase)
            || message.Contains("WORM", StringComparison.Ordinal);
    }

    private static string ServerMessage(Exception e) => e switch
    {
        MinioException { Response.Message: { Length: > 0 } m } => m,
        S3HttpException { ServerMessage: { Length: > 0 } m } => m,
        _ => e.Message,
    };

    /// <summary>Translates an SDK or transport failure into <see cref="ArchiveStorageException"/> (or a subclass).</summary>
    internal ArchiveStorageException Translate(Exception e, string operation, string? key, string context = "")
    {
        if (e is ArchiveStorageException storage)
        {
            return storage;
        }

        if (IsAccessDenied(e) && IsLockMessage(e) && key is not null)
        {
            return new ObjectLockedException(System, Bucket, operation, key, ServerMessage(e), e);
        }

        var message = e switch
        {
            BucketNotFoundException => "the bucket does not exist",
            AuthorizationException or AccessDeniedException => "access denied (check the access key, secret key and permissions): " + ServerMessage(e),
            MinioException { Response.Code: "AccessDenied" } => "access denied: " + ServerMessage(e),
            ConnectionException or HttpRequestException => $"cannot reach the S3 server ({ServerMessage(e)})",
            OperationCanceledException => "the request timed out",
            MinioException { Response.Code: { Length: > 0 } code } => $"{code}: {ServerMessage(e)}",
            S3HttpException h => h.Message,
            _ => $"{e.GetType().Name}: {ServerMessage(e)}",
        };
        return new ArchiveStorageException(System, Bucket, operation, key, context + message, e);
    }
}
