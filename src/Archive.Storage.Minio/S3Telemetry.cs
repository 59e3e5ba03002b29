using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Archive.Storage.Minio;

/// <summary>Activity source and meter of the S3 store (<see cref="ArchiveDiagnostics.S3Name"/>); see docs/operations.md.</summary>
internal static class S3Telemetry
{
    private static readonly string? Version = typeof(S3Telemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(ArchiveDiagnostics.S3Name, Version);

    public static readonly Meter Meter = new(ArchiveDiagnostics.S3Name, Version);

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "archive.s3.request.duration", "s", "Duration of S3 requests sent by the store, until the response headers.");

    public static readonly Counter<long> RequestFailures = Meter.CreateCounter<long>(
        "archive.s3.request.failures", "{request}", "S3 requests that failed with a server error (5xx), throttling (429) or a transport error.");
}
