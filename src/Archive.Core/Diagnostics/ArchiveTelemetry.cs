using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Archive.Diagnostics;

/// <summary>
/// The engine's activity source and meter (<see cref="ArchiveDiagnostics.ActivitySourceName"/>,
/// <see cref="ArchiveDiagnostics.MeterName"/>) and its instruments. Names follow the OpenTelemetry conventions
/// (lower case, dotted, units in UCUM); the list is in docs/operations.md.
/// </summary>
internal static class ArchiveTelemetry
{
    private static readonly string? Version = typeof(ArchiveTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(ArchiveDiagnostics.ActivitySourceName, Version);

    public static readonly Meter Meter = new(ArchiveDiagnostics.MeterName, Version);

    public static readonly Counter<long> Commits = Meter.CreateCounter<long>(
        "archive.package.commits", "{commit}", "Package versions committed (tag error.type on failure).");

    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "archive.package.commit.duration", "s", "Duration of package commits.");

    public static readonly Counter<long> RecordFilesCreated = Meter.CreateCounter<long>(
        "archive.record_files.created", "{record_file}", "Record files created or imported.");

    public static readonly Counter<long> ContentFiles = Meter.CreateCounter<long>(
        "archive.content.files", "{file}", "Content files ingested (uploaded or imported).");

    public static readonly Counter<long> ContentBytes = Meter.CreateCounter<long>(
        "archive.content.bytes", "By", "Bytes of content ingested (uploaded or imported).");

    public static readonly Counter<long> JobItems = Meter.CreateCounter<long>(
        "archive.job.items", "{item}", "Items processed by background jobs (tag archive.job: reindex, projection, ocr, handover).");

    public static readonly Counter<long> ProjectionTexts = Meter.CreateCounter<long>(
        "archive.projection.texts", "{file}", "Extracted-text files a projection needed (tag archive.projection.text_source: memory = handed off by the write, storage = read back).");

    private static long _pending = -1;

    /// <summary>The number of record files flagged for reindex, as of the last listing of the flags (-1: not listed yet).</summary>
    public static readonly ObservableGauge<long> PendingIndex = Meter.CreateObservableGauge(
        "archive.index.pending",
        () => Interlocked.Read(ref _pending) is var n and >= 0 ? [new Measurement<long>(n)] : Array.Empty<Measurement<long>>(),
        "{record_file}",
        "Record files committed but not yet in the search index (projection lag), as of the last listing of the reindex flags.");

    /// <summary>Records the number of reindex flags just listed.</summary>
    public static void SetPendingIndex(long count) => Interlocked.Exchange(ref _pending, count);

    /// <summary>Tag keys.</summary>
    public const string CollectionTag = "archive.collection";
    public const string PackageIdTag = "archive.package.id";
    public const string PackageVersionTag = "archive.package.version";
    public const string IngestModeTag = "archive.ingest.mode";
    public const string JobTag = "archive.job";
    public const string ProjectionBatchTag = "archive.projection.record_files";
    public const string TextSourceTag = "archive.projection.text_source";
    public const string ErrorTypeTag = "error.type";

    /// <summary>Counts an extracted-text file a projection took from the write's hand-off (<paramref name="handedOff"/>) or read from storage.</summary>
    public static void ProjectionText(bool handedOff)
        => ProjectionTexts.Add(1, new KeyValuePair<string, object?>(TextSourceTag, handedOff ? "memory" : "storage"));

    /// <summary>Counts a processed job item.</summary>
    public static void JobItem(string job, long count = 1)
    {
        if (count > 0)
        {
            JobItems.Add(count, new KeyValuePair<string, object?>(JobTag, job));
        }
    }

    /// <summary>Records ingested content.</summary>
    public static void Ingested(string mode, long files, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(IngestModeTag, mode);
        ContentFiles.Add(files, tag);
        ContentBytes.Add(bytes, tag);
    }
}
